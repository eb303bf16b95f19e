using Talko.Core.Calls;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Quality;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Messages;

namespace Talko.Server.Sip;

/// <summary>The calls feature's commands carried out by this instance's SIP engine (conference id = call id) and media engine.</summary>
/// <remarks>WebRTC legs (ADR 0721) are legs of the call like SIP legs: listed, hung up and measured here too.</remarks>
internal sealed class SipConferenceControl(RunningSipEngine sip, ConferenceMediaEngine media, Talko.Server.WebRtc.WebRtcCallLegs webRtc) : IConferenceControl
{
    public IReadOnlyList<ConferenceLeg> LegsOf(CallId callId) =>
        [.. CallsOf(callId).Select(call => new ConferenceLeg(
            call.Leg.LegId,
            Guid.TryParse(call.Party?.UserId, out var user) ? user : null,
            Guid.TryParse(call.Party?.DeviceId, out var device) ? device : null,
            call.OnHold)), .. webRtc.LegsOf(callId)];

    public async Task HangUpAsync(CallId callId, LegId legId)
    {
        if (legId.Direction == LegDirection.WebRtc)
        {
            await webRtc.HangUpAsync(callId, legId);
        }
        else if (sip.Engine is { } engine && CallsOf(callId).FirstOrDefault(c => c.Leg.LegId == legId) is { } call)
        {
            await engine.Conferences.HangUpAsync(call);
        }
    }

    public async Task<int> RingAsync(CallId callId, Guid userId, Func<Guid?, bool> device, CancellationToken cancellationToken = default)
    {
        if (sip.Engine is not { } engine)
        {
            return 0;
        }

        var targets = (await engine.Bindings.GetByUserAsync(userId.ToString("D"), cancellationToken))
            .Where(b => device(Guid.TryParse(b.DeviceId, out var d) ? d : null)).ToList();
        var answered = await Task.WhenAll(targets.Select(b => engine.Dialer.RingAsync(callId.ToString(), b, cancellationToken)));
        return answered.Count(call => call is not null);
    }

    public async Task<bool> CanRingAsync(Guid userId, Guid? deviceId, CancellationToken cancellationToken = default) =>
        sip.Engine is { } engine
        && (await engine.Bindings.GetByUserAsync(userId.ToString("D"), cancellationToken)).Any(b => deviceId is null || b.DeviceId == deviceId.Value.ToString("D"));

    public async Task<ConferenceTransferResult> TransferAsync(CallId callId, LegId legId, string targetUri, ConferenceTransferTimings timings, CancellationToken cancellationToken = default)
    {
        if (legId.Direction == LegDirection.WebRtc)
        {
            // No REFER for a browser: it heard callMoved and joins again at the new owner over the hub (ADR 0724).
            return await webRtc.EndForMoveAsync(callId, legId);
        }

        if (sip.Engine is not { } engine || CallsOf(callId).FirstOrDefault(c => c.Leg.LegId == legId) is not { } call)
        {
            return new ConferenceTransferResult(ConferenceTransferOutcome.Gone, 0, null);
        }

        return await engine.Conferences.TransferAsync(call, SipUri.Parse(targetUri), timings, cancellationToken);
    }

    public MediaLegQuality? QualityOf(CallId callId, LegId legId) => media.FindLeg(callId.ToString(), legId)?.Quality;

    private IEnumerable<ConferenceCall> CallsOf(CallId callId)
    {
        if (sip.Engine is not { } engine)
        {
            return [];
        }

        var conference = callId.ToString();
        return engine.Conferences.Calls.Where(c => c.ConferenceId == conference).ToList();
    }
}
