using Talko.Core.Sip.Conferencing;

namespace Talko.Core.Calls;

/// <summary>What a <see cref="LiveCall"/>'s loop handles, one at a time. Closed: the records below are all there is.</summary>
internal abstract record LiveCallMessage
{
    private protected LiveCallMessage()
    {
    }
}

/// <summary>Take the call over here (it is claimed for this instance); <see cref="Done"/>, if any, says whether it is live and owned.</summary>
internal sealed record Adopt(TaskCompletionSource<bool>? Done) : LiveCallMessage;

/// <summary>An engine's report (leg joined or left, segment opened or closed); talking comes as <see cref="TalkerDue"/>.</summary>
internal sealed record EngineReported(CallEvent Event) : LiveCallMessage;

/// <summary>The leg's talking changed; its latest state waits in the mailbox.</summary>
internal sealed record TalkerDue(LegId LegId) : LiveCallMessage;

/// <summary>A cross-instance command (end, leave, ring, ring back) for this call.</summary>
internal sealed record Commanded(CallCommand Command) : LiveCallMessage;

/// <summary>Renew the claim, keep the legs' awareness alive, end the call when it has been empty long enough.</summary>
internal sealed record Heartbeat : LiveCallMessage
{
    public static readonly Heartbeat Instance = new();
}

/// <summary>A leg here was muted or unmuted (a WebRTC leg's <c>SetCallMuted</c>): show it in awareness now, not at the next heartbeat.</summary>
internal sealed record HoldChanged : LiveCallMessage
{
    public static readonly HoldChanged Instance = new();
}

/// <summary>Read the legs' RTCP quality into the view (ADR 0901).</summary>
internal sealed record QualityDue : LiveCallMessage
{
    public static readonly QualityDue Instance = new();
}

/// <summary>Hand the call to another instance (a drain move, ADR 0710); <see cref="Done"/> once its legs here are handed over.</summary>
internal sealed record MoveAway(string TargetInstanceId, string TargetSipAddress, ConferenceTransferTimings Timings, TaskCompletionSource<bool> Done, CancellationToken CancellationToken)
    : LiveCallMessage;

/// <summary>Completes once every message posted before it has been handled.</summary>
internal sealed record Flush(TaskCompletionSource Done) : LiveCallMessage;
