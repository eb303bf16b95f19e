using Talko.Core.Media.Recording;

namespace Talko.Core.Calls;

/// <summary>
/// What the SIP and media engines report about a call on this instance, in the order it happened. Closed: the
/// records below are all there is.
/// </summary>
public abstract record CallEvent
{
    private protected CallEvent(CallId callId) => CallId = callId;

    public CallId CallId { get; }
}

/// <summary>
/// A leg is in the call and its party is known: the authenticated caller of an INVITE, or the user and device the call
/// rang. Reported once the signalling tracks the leg, so it always comes with its user, and before that leg's
/// <see cref="LegLeft"/>.
/// </summary>
public sealed record LegJoined(CallId CallId, LegId LegId, Guid UserId, Guid? DeviceId, DateTimeOffset At) : CallEvent(CallId);

/// <summary>The leg's media left the mixer (hung up from either side). Also reported for legs that never joined (a ring nobody answered).</summary>
public sealed record LegLeft(CallId CallId, LegId LegId) : CallEvent(CallId);

/// <summary>The mixer's talker detection: the leg started or stopped talking.</summary>
public sealed record TalkingChanged(CallId CallId, LegId LegId, bool Talking) : CallEvent(CallId);

/// <summary>The call's mixer opened here with its first leg and records into <paramref name="AudioPath"/> from <paramref name="At"/>.</summary>
public sealed record SegmentOpened(CallId CallId, string AudioPath, DateTimeOffset At) : CallEvent(CallId);

/// <summary>The call's last leg here left; its recording files are complete.</summary>
public sealed record SegmentClosed(CallId CallId, RecordingResult Recording) : CallEvent(CallId);
