using Talko.Core.Media.Quality;
using Talko.Core.Sip.Conferencing;

namespace Talko.Core.Calls;

/// <summary>
/// The commands a call sends down to this instance's SIP and media engines: the one way the calls feature reaches
/// them (the engines report back through <see cref="CallEventSink"/>). With SIP off, a call has no legs here, rings
/// nobody and hangs up nothing.
/// </summary>
public interface IConferenceControl
{
    /// <summary>The call's legs on this instance now, with their party and hold state.</summary>
    IReadOnlyList<ConferenceLeg> LegsOf(CallId callId);

    /// <summary>Ends a leg from this side (SIP BYE); its <see cref="LegLeft"/> follows.</summary>
    Task HangUpAsync(CallId callId, LegId legId);

    /// <summary>
    /// Rings the registered devices of <paramref name="userId"/> that <paramref name="device"/> accepts (by device id)
    /// into the call; each that answers is reported as a <see cref="LegJoined"/>. Returns, once every ring has ended,
    /// how many answered.
    /// </summary>
    Task<int> RingAsync(CallId callId, Guid userId, Func<Guid?, bool> device, CancellationToken cancellationToken = default);

    /// <summary>Whether the user has a registered device (that one, when given) to ring.</summary>
    Task<bool> CanRingAsync(Guid userId, Guid? deviceId, CancellationToken cancellationToken = default);

    /// <summary>Refers the leg's device to <paramref name="targetUri"/> (RFC 3515 blind transfer).</summary>
    Task<ConferenceTransferResult> TransferAsync(CallId callId, LegId legId, string targetUri, ConferenceTransferTimings timings, CancellationToken cancellationToken = default);

    /// <summary>The leg's connection quality over the last RTCP interval; null when the leg is not here.</summary>
    MediaLegQuality? QualityOf(CallId callId, LegId legId);
}

/// <summary>A leg of a call on this instance: who is on it (null while a ring is unanswered) and whether it is on hold.</summary>
public sealed record ConferenceLeg(LegId LegId, Guid? UserId, Guid? DeviceId, bool OnHold);
