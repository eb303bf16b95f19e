using Talko.Core.Conversations;

namespace Talko.Server.Features.Calls;

/// <summary>
/// One device's time in a call; <paramref name="LeftAt"/> is null while it is in. <paramref name="Quality"/> is its
/// connection's quality while it is in, once an RTCP interval has been measured (null before, and after it left).
/// </summary>
public sealed record CallParticipantView(
    Guid UserId, Guid? DeviceId, DateTimeOffset JoinedAt, long JoinOffsetMs, bool Talking, DateTimeOffset? LeftAt = null, CallQualityView? Quality = null);

/// <summary>
/// A participant's connection quality over the last RTCP interval (ADR 0901). LossPercent and JitterMs are the worse of
/// the two directions; RoundTripMs is null until the device's RTCP reports echo the server's. Mos is the E-model's
/// estimated mean opinion score (1-4.5); Grade is excellent, good, fair or poor.
/// </summary>
public sealed record CallQualityView(double LossPercent, double JitterMs, double? RoundTripMs, double Mos, string Grade, DateTimeOffset MeasuredAt);

/// <summary>
/// A call: State is "live" or "ended"; Participants are in it now, Left those who have left (latest first, at most
/// <see cref="CallsOptions.MaxLeftInView"/>); Talking lists users heard right now (the owner's talker detection);
/// RecordedMs is the recording's length so far; OwnerInstanceId is the instance running its mixer while live.
/// </summary>
public sealed record CallView(
    Guid Id,
    Guid ConversationId,
    string State,
    Guid StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    IReadOnlyList<CallParticipantView> Participants,
    IReadOnlyList<Guid> Talking,
    string? OwnerInstanceId,
    long RecordedMs,
    IReadOnlyList<CallParticipantView>? Left = null);

/// <summary>
/// What a device needs to join: the conference URI on the owning instance, and which of its own SIP credentials
/// (username and realm; the secret never leaves the device after registration) to answer the digest challenge with.
/// </summary>
public sealed record JoinCallResponse(Guid CallId, string SipUri, string SipUsername, string SipRealm, string OwnerInstanceId);

/// <summary>One marker a player draws over the recording. Kind: talker, join, leave, text, photo, voiceClip, tag, bookmark.</summary>
public sealed record CallMarker(string Kind, long OffsetMs, long? EndMs, Guid? UserId, Guid? ItemId, string? Tag, string? Note);

public sealed record CallTimelineView(Guid CallId, long DurationMs, IReadOnlyList<RecordingSegmentView> Segments, IReadOnlyList<CallMarker> Markers);

public sealed record RecordingSegmentView(int Index, string State, string InstanceId, long BaseOffsetMs, long? DurationMs, DateTimeOffset StartedAt);

/// <summary>A call started, changed (someone joined, left, started or stopped talking) or ended; to the conversation's members.</summary>
public sealed record CallChanged(string EventName, CallView Call) : ConversationEvent(Call.ConversationId)
{
    public const string StartedName = "callStarted";
    public const string UpdatedName = "callUpdated";
    public const string EndedName = "callEnded";

    public override string Name => EventName;

    public override object Payload => Call;
}

/// <summary>The call moved to another instance (its owner died or drained): devices in it should join again (POST /v1/calls/{id}/join).</summary>
public sealed record CallMoved(Guid ConversationId, CallMovedView Moved) : ConversationEvent(ConversationId)
{
    public override string Name => "callMoved";

    public override object Payload => Moved;
}

public sealed record CallMovedView(Guid CallId, Guid ConversationId, string OwnerInstanceId, string SipUri);

/// <summary>A signed URL that plays a call's recording (with Range requests, no bearer token) until <paramref name="ExpiresAt"/> (ADR 0813).</summary>
public sealed record RecordingPlaybackResponse(string Url, DateTimeOffset ExpiresAt);
