using Talko.Core.Media.Recording;

namespace Talko.Core.Calls;

/// <summary>
/// What a <see cref="LiveCall"/> keeps durably: its participants and its recording segments (ADR 0601), and the end of a
/// call left empty. The port between the call's loop and the database; the server implements it over EF Core.
/// </summary>
public interface ICallBookkeeping
{
    /// <summary>The conversation of a call that is live; null when the call is unknown or has ended.</summary>
    Task<Guid?> FindLiveAsync(CallId callId, CancellationToken cancellationToken);

    /// <summary>Live calls, oldest first (at most <paramref name="limit"/>), with when they started: for the owner sweep.</summary>
    Task<IReadOnlyList<(CallId CallId, DateTime StartedAt)>> ListLiveAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a call over on this instance: waits for a live previous owner to close its segment (ADR 0610), closes what a
    /// dead one left open, and returns that previous owner (if another instance) and where a new segment would start.
    /// </summary>
    Task<CallAdoption> AdoptAsync(CallId callId, CancellationToken cancellationToken);

    /// <summary>Records a participant's leg joining at <paramref name="offsetMs"/> into the recording; returns the participant's id.</summary>
    Task<Guid> JoinedAsync(CallId callId, LegJoined joined, DateTimeOffset at, long offsetMs);

    /// <summary>Records the participant leaving at <paramref name="offsetMs"/>.</summary>
    Task LeftAsync(Guid participantId, DateTimeOffset at, long? offsetMs);

    /// <summary>A leave after the call moved away cannot lie past this instance's closed segment (the server's recording archive clamps it).</summary>
    Task<long> ClampToClosedSegmentAsync(CallId callId, long offsetMs);

    /// <summary>Indexes the segment this instance started recording; returns its base offset.</summary>
    Task<long> SegmentOpenedAsync(CallId callId, string wavPath, DateTimeOffset at);

    /// <summary>Stores the segment that closed; returns where the recording now ends (null when an adopter closed it already).</summary>
    Task<long?> SegmentClosedAsync(CallId callId, RecordingResult recording);

    /// <summary>Ends the call because nobody was in it for the grace period (durably first; every instance hears <see cref="EndCall"/>).</summary>
    Task EndEmptyAsync(CallId callId, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="ICallBookkeeping.AdoptAsync"/>.</summary>
public sealed record CallAdoption(string? PreviousOwner, long ClosedMs);

/// <summary>What a <see cref="LiveCall"/> tells clients: the call's view changed, or it moved to another owner.</summary>
public interface ICallAnnouncer
{
    /// <summary>Publishes <c>callUpdated</c> with the call's current view.</summary>
    Task UpdatedAsync(CallId callId);

    /// <summary>Publishes <c>callMoved</c>: devices in the call re-INVITE <paramref name="sipUri"/>.</summary>
    Task MovedAsync(CallId callId, Guid conversationId, string ownerInstanceId, string sipUri, CancellationToken cancellationToken);
}
