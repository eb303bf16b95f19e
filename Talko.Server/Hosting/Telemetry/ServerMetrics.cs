using System.Diagnostics.Metrics;
using Talko.Core.Diagnostics;
using Talko.Core.Instances;
using Talko.Core.Media.Engine;
using Talko.Core.Notifications;
using Talko.Server.Features.Notifications.Outbox;
using Talko.Server.Kernel;
using Talko.Server.Sip;

namespace Talko.Server.Hosting.Telemetry;

/// <summary>
/// The host's meter (Talko.Server). Most instruments are observed: a scrape reads the live objects (the media engine's
/// totals, the SIP engine's calls and transactions, the load counters, the drain state, the outbox sample), so the
/// code that does the work records nothing. Notification deliveries are counted as they complete.
/// </summary>
public sealed class ServerMetrics : IDeliveryMetrics, IDisposable
{
    private readonly Meter meter;
    private readonly Counter<long> deliveries;

    /// <summary>One pass over the legs serves every media instrument of a collection (nine of them read the totals).</summary>
    private readonly RecentValue<MediaTotals> media = new(TimeSpan.FromSeconds(1));

    public ServerMetrics(IMeterFactory meters, IServiceProvider services)
    {
        meter = meters.Create(TalkoTelemetry.ServerMeter);
        var load = services.GetRequiredService<InstanceLoadCounters>();
        var lifecycle = services.GetRequiredService<InstanceLifecycle>();
        var backlog = services.GetRequiredService<OutboxBacklog>();
        var time = services.GetRequiredService<TimeProvider>();
        MediaTotals Media() => media.Read(() => services.GetService<ConferenceMediaEngine>()?.Totals ?? MediaTotals.Zero, time);
        Core.Sip.SipEngine? Sip() => services.GetService<SipEngineHost>()?.Engine;

        meter.CreateObservableGauge("talko.calls.active", () => load.Snapshot.LiveCalls, "{call}", "Live calls this instance owns (runs the mixer of).");
        meter.CreateObservableGauge("talko.call.legs.active", () => Legs(Sip()), "{leg}", "SIP legs in calls on this instance, by codec and signalling transport.");
        meter.CreateObservableCounter("talko.rtp.packets", () => RtpPackets(Media()), "{packet}", "RTP audio packets received from and sent to legs.");
        meter.CreateObservableCounter("talko.rtp.packets.lost", () => Media().PacketsLost, "{packet}", "RTP packets the legs' peers sent that never arrived (from sequence numbers, RFC 3550 A.3).");
        meter.CreateObservableCounter("talko.rtp.packets.discarded", () => Discarded(Media()), "{packet}", "RTP and RTCP packets dropped, by reason: malformed, unknown_source (ADR 0167), unknown_payload_type.");
        meter.CreateObservableCounter("talko.webrtc.packets.dropped", () => WebRtcDropped(Media()), "{packet}",
            "Datagrams WebRTC legs dropped, by reason: unknown_protocol, stun_malformed, stun_refused, dtls_unknown_source, dtls_malformed, dtls_too_large, dtls_overflow, dtls_closed, media_unknown_source, media_before_keys, srtp_malformed, srtp_auth_failed, srtp_replayed, srtp_too_old, srtp_too_many_streams.");
        meter.CreateObservableCounter("talko.webrtc.handshakes.failed", () => HandshakesFailed(Media()), "{handshake}",
            "DTLS-SRTP handshakes of WebRTC legs that failed (the leg left), by reason: timeout, fingerprint_mismatch, no_srtp_profile, handshake_failed.");
        meter.CreateObservableCounter("talko.rtcp.packets", () => RtcpPackets(Media()), "{packet}", "RTCP compound packets received from and sent to legs.");
        meter.CreateObservableCounter("talko.mixer.ticks", () => Media().Ticks, "{tick}", "Mixer ticks run (one 20 ms frame each, per call).");
        meter.CreateObservableCounter("talko.mixer.ticks.late", () => Media().LateTicks, "{tick}", "Mixer ticks that ran more than one interval after their time: audio went out late.");
        meter.CreateObservableCounter("talko.mixer.ticks.skipped", () => Media().SkippedTicks, "{tick}", "Mixer ticks never run because the clock stalled too long: audible gaps.");
        meter.CreateObservableGauge("talko.sip.transactions.active", () => Transactions(Sip()), "{transaction}", "SIP transactions in progress, by side (server, client).");
        meter.CreateObservableGauge("talko.sip.registrations.active", () => Sip()?.Registrations.Count ?? 0, "{binding}",
            "SIP bindings this instance registered that have not expired or been removed (a device that moved instances may count on both until it expires).");
        meter.CreateObservableGauge("talko.realtime.connections", () => load.Snapshot.RealtimeConnections, "{connection}", "Authenticated realtime (SignalR) connections on this instance.");
        meter.CreateObservableGauge("talko.instance.state", () => States(lifecycle.State), "{state}", "1 for the state this instance is in (serving, draining), 0 for the other.");
        meter.CreateObservableGauge("talko.outbox.pending", () => backlog.Latest?.Pending ?? 0, "{notification}", "Notifications waiting in the outbox (the whole deployment's, sampled).");
        meter.CreateObservableGauge("talko.outbox.oldest_pending.age", () => backlog.OldestAge(time.GetUtcNow()).TotalSeconds, "s", "Age of the oldest notification still pending (0 when none).");
        deliveries = meter.CreateCounter<long>("talko.notifications.deliveries", "{attempt}",
            "Delivery attempts that finished, by provider (apns, fcm, webhook, ...) and outcome (delivered, retry, address_gone, dead_lettered).");
    }

    public void DeliveryFinished(PushChannel provider, string outcome) =>
        deliveries.Add(1, new KeyValuePair<string, object?>("talko.notification.provider", provider.ToString().ToLowerInvariant()),
            new KeyValuePair<string, object?>("talko.notification.outcome", outcome));

    public void Dispose() => meter.Dispose();

    private static IEnumerable<Measurement<long>> RtpPackets(MediaTotals totals) =>
    [
        new(totals.PacketsReceived, new KeyValuePair<string, object?>("talko.rtp.direction", "received")),
        new(totals.PacketsSent, new KeyValuePair<string, object?>("talko.rtp.direction", "sent")),
    ];

    private static IEnumerable<Measurement<long>> RtcpPackets(MediaTotals totals) =>
    [
        new(totals.RtcpReceived, new KeyValuePair<string, object?>("talko.rtp.direction", "received")),
        new(totals.RtcpSent, new KeyValuePair<string, object?>("talko.rtp.direction", "sent")),
    ];

    private static IEnumerable<Measurement<long>> Discarded(MediaTotals totals) =>
    [
        new(totals.DiscardedMalformed, new KeyValuePair<string, object?>("talko.rtp.discard_reason", "malformed")),
        new(totals.DiscardedUnknownSource, new KeyValuePair<string, object?>("talko.rtp.discard_reason", "unknown_source")),
        new(totals.DiscardedUnknownPayloadType, new KeyValuePair<string, object?>("talko.rtp.discard_reason", "unknown_payload_type")),
    ];

    private static IEnumerable<Measurement<long>> WebRtcDropped(MediaTotals totals) =>
        Enum.GetValues<Core.Media.WebRtc.WebRtcDropReason>()
            .Select(reason => new Measurement<long>(totals.WebRtcDrops(reason), new KeyValuePair<string, object?>("talko.webrtc.drop_reason", reason.Label())))
            .ToList();

    private static IEnumerable<Measurement<long>> HandshakesFailed(MediaTotals totals) =>
        Enum.GetValues<Core.Media.WebRtc.Dtls.DtlsFailure>()
            .Select(failure => new Measurement<long>(totals.WebRtcHandshakesFailed(failure), new KeyValuePair<string, object?>("talko.webrtc.handshake_failure", failure.Label())))
            .ToList();

    private static IEnumerable<Measurement<int>> Legs(Core.Sip.SipEngine? sip)
    {
        if (sip?.Conferences is not { } conferences)
        {
            return [];
        }

        return conferences.Calls
            .GroupBy(c => (Codec: c.Codec.ToString().ToLowerInvariant(), Transport: c.Dialog.Target.Protocol.ToString().ToLowerInvariant()))
            .Select(g => new Measurement<int>(g.Count(),
                new KeyValuePair<string, object?>("talko.codec", g.Key.Codec), new KeyValuePair<string, object?>("network.transport", g.Key.Transport)))
            .ToList();
    }

    private static IEnumerable<Measurement<int>> Transactions(Core.Sip.SipEngine? sip)
    {
        if (sip?.UserAgent is not { } agent)
        {
            return [];
        }

        return
        [
            new(agent.Transactions.ServerCount, new KeyValuePair<string, object?>("talko.sip.transaction.side", "server")),
            new(agent.Transactions.ClientCount, new KeyValuePair<string, object?>("talko.sip.transaction.side", "client")),
        ];
    }

    private static IEnumerable<Measurement<int>> States(InstanceState state) =>
    [
        new(state == InstanceState.Serving ? 1 : 0, new KeyValuePair<string, object?>("talko.instance.state", "serving")),
        new(state == InstanceState.Draining ? 1 : 0, new KeyValuePair<string, object?>("talko.instance.state", "draining")),
    ];

    /// <summary>A value computed at most once per <paramref name="lifetime"/>; older reads compute it again.</summary>
    private sealed class RecentValue<T>(TimeSpan lifetime) where T : class
    {
        private readonly Lock gate = new();
        private T? value;
        private long readAt;

        public T Read(Func<T> compute, TimeProvider time)
        {
            lock (gate)
            {
                if (value is null || time.GetElapsedTime(readAt) >= lifetime)
                {
                    value = compute();
                    readAt = time.GetTimestamp();
                }

                return value;
            }
        }
    }
}
