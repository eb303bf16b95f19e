namespace Talko.Server.Drain;

/// <summary>
/// The calls feature's side of a drain: which live calls this instance owns, and moving one to another
/// instance (another instance claims it, app clients rejoin, SIP devices are referred or re-invited,
/// recording goes on in a new segment).
/// </summary>
public interface ILiveCallMover
{
    IReadOnlyCollection<string> LiveCallIds { get; }

    Task<CallMoveResult> MoveAwayAsync(string callId, CancellationToken cancellationToken);
}

/// <param name="CallId">The call.</param>
/// <param name="NewOwner">The instance that owns it now, or null if it could not be moved (the call then ends with this instance).</param>
/// <param name="Participants">The audio gap each participant suffered while the call moved.</param>
/// <param name="Error">Why it could not be moved.</param>
public sealed record CallMoveResult(string CallId, string? NewOwner, IReadOnlyList<ParticipantGap> Participants, string? Error = null)
{
    public bool Moved => NewOwner is not null;
}

/// <param name="ParticipantId">A user, device or SIP address, as the calls feature names them.</param>
/// <param name="AudioGap">From the last packet mixed here to the first mixed by the new owner.</param>
public sealed record ParticipantGap(string ParticipantId, TimeSpan AudioGap);

/// <summary>Until the calls feature registers its own: an instance that hosts no calls.</summary>
internal sealed class NoLiveCalls : ILiveCallMover
{
    public IReadOnlyCollection<string> LiveCallIds => [];

    public Task<CallMoveResult> MoveAwayAsync(string callId, CancellationToken cancellationToken) =>
        Task.FromResult(new CallMoveResult(callId, null, [], "This instance hosts no calls."));
}
