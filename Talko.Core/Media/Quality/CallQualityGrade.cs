namespace Talko.Core.Media.Quality;

/// <summary>What a participant hears and is heard with, in the bands of ITU-T G.107 Annex B (ADR 0901).</summary>
public enum CallQualityGrade
{
    /// <summary>No RTCP interval measured yet.</summary>
    Unknown,

    /// <summary>R of 80 or more: users very satisfied or satisfied.</summary>
    Excellent,

    /// <summary>R from 70 to 80: some users dissatisfied.</summary>
    Good,

    /// <summary>R from 60 to 70: many users dissatisfied.</summary>
    Fair,

    /// <summary>R below 60: nearly all users dissatisfied.</summary>
    Poor,
}
