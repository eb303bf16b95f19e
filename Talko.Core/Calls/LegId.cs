namespace Talko.Core.Calls;

/// <summary>How a leg came into its call. New kinds of legs (WebRTC) get a value of their own.</summary>
public enum LegDirection
{
    /// <summary>A device called in (SIP INVITE to <c>sip:{callId}@host</c>).</summary>
    Inbound,

    /// <summary>The call rang a registered device and it answered (SIP INVITE sent by the engine).</summary>
    RingOut,

    /// <summary>A browser or app joined over the realtime hub with a WebRTC offer (ADR 0721).</summary>
    WebRtc,
}

/// <summary>
/// One leg of a call: its direction and a key unique among the call's legs (for SIP legs, made from the dialog's
/// Call-ID and tag). <see cref="ToString"/> is the form stored with participants and in talker timelines, and the
/// mixer's participant id; it is a name, never parsed back: the direction travels as a value.
/// </summary>
public readonly record struct LegId(LegDirection Direction, string Key)
{
    public static LegId Inbound(string key) => new(LegDirection.Inbound, key);

    public static LegId RingOut(string key) => new(LegDirection.RingOut, key);

    public static LegId WebRtc(string key) => new(LegDirection.WebRtc, key);

    public override string ToString() => Direction switch
    {
        LegDirection.Inbound => Key,
        LegDirection.RingOut => $"ring-out:{Key}",
        LegDirection.WebRtc => $"webrtc:{Key}",
        _ => $"{Direction}:{Key}",
    };
}
