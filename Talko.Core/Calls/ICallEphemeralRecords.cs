using Talko.Core.Media.Quality;

namespace Talko.Core.Calls;

/// <summary>
/// The port for what a <see cref="LiveCall"/> keeps in the ephemeral store besides its claim and talkers: when it moved
/// (so the new owner can log each participant's audio gap) and its participants' quality (so any instance's view shows it).
/// </summary>
public interface ICallEphemeralRecords
{
    Task SetMovedAtAsync(CallId callId, DateTimeOffset at);

    /// <summary>When the call last moved to its present owner; null when it did not (recently).</summary>
    Task<DateTimeOffset?> MovedAtAsync(CallId callId);

    /// <summary>Each participant's (user and device) latest quality, measured at <paramref name="at"/>; kept a few quality intervals.</summary>
    Task SetQualityAsync(CallId callId, IReadOnlyDictionary<(Guid UserId, Guid? DeviceId), MediaLegQuality> figures, DateTimeOffset at);

    Task ForgetQualityAsync(CallId callId);
}
