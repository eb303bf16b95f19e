namespace Talko.Core.Media.Mixing;

/// <summary>A participant started or stopped talking, at <paramref name="Offset"/> from the mixer's first tick.</summary>
public sealed record TalkerEventArgs(string ParticipantId, TimeSpan Offset);
