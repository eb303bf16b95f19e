using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.WebRtc.Demux;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Srtp;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Core.Media.WebRtc.Ice;
using Talko.Tests.Core.Media.WebRtc.Sdp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Hosting.Telemetry;

/// <summary>
/// The WebRTC drop counters on /metrics of a real Talko process: a client joins over the hub (on another instance,
/// relayed to the owner), checks ICE and completes DTLS-SRTP like a browser, then sends what an attacker or a broken
/// client would: SRTP with a bad tag, a replay, junk, a truncated STUN message, and DTLS and SRTP from an address
/// that never passed an ICE check. Each lands under its own reason.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class WebRtcDropMetricsTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string ScrapeKey = "webrtc-metrics-scrape-key-0123456789";
    private const string ClientUfrag = "vYx1";
    private static readonly DtlsCertificate ClientCertificate = DtlsCertificate.Create("client", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
    private readonly CallInstances instances = new(postgres, redis, "webrtc-metrics");
    private TalkoProcess owner = null!;
    private TalkoHost front = null!;

    public async Task InitializeAsync()
    {
        (front, _) = instances.StartHost("webrtc-metrics-front");
        (owner, _) = await instances.StartProcessAsync("webrtc-metrics-owner", s => s["Talko:Telemetry:ScrapeKey"] = ScrapeKey);
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task Bad_srtp_replays_junk_and_strangers_move_the_webrtc_drop_counters_by_reason()
    {
        using var scraper = owner.CreateClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeKey);

        using var alice = await front.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Drops");
        using var aliceOnOwner = owner.CreateClient();
        aliceOnOwner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alice.Tokens.AccessToken);
        var call = await aliceOnOwner.StartCallAsync(conversation.Id);
        Assert.Equal("webrtc-metrics-owner", call.OwnerInstanceId);

        await using var hub = front.CreateHubConnection(alice);
        await hub.StartAndWaitUntilReadyAsync();
        var answer = await hub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer(ClientCertificate.Fingerprint.ToString()));
        var talko = new IPEndPoint(IPAddress.Loopback, int.Parse(Attribute(answer, "candidate").Split(' ')[5], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(DtlsFingerprint.TryParse(Attribute(answer, "fingerprint"), out var talkoFingerprint));

        await using var client = new LoopbackWebRtcClient(talko);
        await client.Socket.SendAsync(IceLiteResponderTests.Check($"{Attribute(answer, "ice-ufrag")}:{ClientUfrag}", Attribute(answer, "ice-pwd"), useCandidate: true), talko);
        using var session = await DtlsSrtpHandshake.ConnectAsync(ClientCertificate, talkoFingerprint!, client.Dtls, TestTimeouts.Default).WaitAsync(TestTimeouts.Long);
        using var sender = session.CreateSender();
        // Talko answers the browser's Opus offer with Opus on the browser's payload type: the client sends real Opus frames.
        var payloadType = byte.Parse(Attribute(answer, "rtpmap").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.EndsWith("opus/48000/2", Attribute(answer, "rtpmap"), StringComparison.Ordinal);
        var opus = OpusSilence();
        byte[] Srtp(ushort sequence) => SrtpPacket(sender, payloadType, opus, sequence);

        // The client's handshake can finish before Talko's side has installed its keys: until a packet is counted as
        // received, what arrives is dropped as media_before_keys, so send fresh packets until one gets through.
        ushort sequence = 1;
        await TestTimeouts.EventuallyAsync(
            async () =>
            {
                await client.Socket.SendAsync(Srtp(sequence++), talko);
                return (await ScrapeAsync(scraper)).Sum("talko_rtp_packets_total", ("talko_rtp_direction", "received")) >= 1;
            },
            TestTimeouts.Long, "a first SRTP packet received by the leg");

        var good = Srtp(sequence++);
        await client.Socket.SendAsync(good, talko);
        await client.Socket.SendAsync(good, talko);
        var forged = Srtp(sequence++);
        forged[^1] ^= 0xFF;
        await client.Socket.SendAsync(forged, talko);
        await client.Socket.SendAsync(new byte[] { 0x50, 1, 2, 3 }, talko);
        await client.Socket.SendAsync(new byte[] { 0x00, 0x01, 0x00, 0x40, 0x21, 0x12, 0xA4, 0x42 }, talko);
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await stranger.SendAsync(Srtp(sequence++), talko);
        await stranger.SendAsync(new byte[] { 22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, talko);

        (string, string) Reason(string value) => ("talko_webrtc_drop_reason", value);
        PrometheusScrape? scrape = null;
        await TestTimeouts.EventuallyAsync(
            async () =>
            {
                scrape = await ScrapeAsync(scraper);
                return scrape.Sum("talko_webrtc_packets_dropped_total", Reason("srtp_auth_failed")) >= 1
                    && scrape.Sum("talko_webrtc_packets_dropped_total", Reason("srtp_replayed")) >= 1
                    && scrape.Sum("talko_webrtc_packets_dropped_total", Reason("unknown_protocol")) >= 1
                    && scrape.Sum("talko_webrtc_packets_dropped_total", Reason("stun_malformed")) >= 1
                    && scrape.Sum("talko_webrtc_packets_dropped_total", Reason("media_unknown_source")) >= 1
                    && scrape.Sum("talko_webrtc_packets_dropped_total", Reason("dtls_unknown_source")) >= 1;
            },
            TestTimeouts.Long, "every drop reason sent to show on /metrics");
        var earlyPackets = scrape!.Sum("talko_webrtc_packets_dropped_total", Reason("media_before_keys"));

        // Exactly one of each: nothing else the client did (its check, its handshake, its good packets) was dropped,
        // apart from packets that raced the server's keys.
        foreach (var reason in new[] { "srtp_auth_failed", "srtp_replayed", "unknown_protocol", "stun_malformed", "media_unknown_source", "dtls_unknown_source" })
        {
            Assert.Equal(1, scrape!.Sum("talko_webrtc_packets_dropped_total", Reason(reason)));
        }

        Assert.Equal(6, scrape!.Sum("talko_webrtc_packets_dropped_total") - earlyPackets);
        Assert.Equal(0, scrape.Sum("talko_webrtc_handshakes_failed_total"));
        Assert.True(scrape.Sum("talko_rtp_packets_total", ("talko_rtp_direction", "received")) >= 1, "the good packet reached the leg");
    }

    private static async Task<PrometheusScrape> ScrapeAsync(HttpClient scraper)
    {
        using var response = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    private static string Attribute(string sdp, string name) =>
        sdp.Split("\r\n").First(line => line.StartsWith($"a={name}:", StringComparison.Ordinal))[(name.Length + 3)..];

    private static byte[] OpusSilence()
    {
        using var encoder = new OpusCodecs(new OpusOptions(), NullLogger.Instance).CreateEncoder();
        var packet = new byte[OpusFormat.MaxPacketBytes];
        return packet[..encoder.Encode(new short[OpusFormat.FrameSamples], packet)];
    }

    private static byte[] SrtpPacket(SrtpContext sender, byte payloadType, byte[] opus, ushort sequence)
    {
        var packet = new byte[12 + opus.Length + 32];
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * (uint)OpusFormat.FrameSamples);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0xC0FFEE);
        opus.CopyTo(packet.AsSpan(12));
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(packet, 12 + opus.Length, out var length));
        return packet[..length];
    }

    /// <summary>A client's UDP socket that hands DTLS from Talko to a DTLS channel and ignores everything else.</summary>
    private sealed class LoopbackWebRtcClient : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task receiving;

        public LoopbackWebRtcClient(IPEndPoint talko)
        {
            Dtls = new DtlsPacketChannel(source => source.Equals(talko), datagram => Socket.Client.SendTo(datagram, SocketFlags.None, talko));
            receiving = ReceiveAsync();
        }

        public UdpClient Socket { get; } = new(new IPEndPoint(IPAddress.Loopback, 0));

        public DtlsPacketChannel Dtls { get; }

        private async Task ReceiveAsync()
        {
            try
            {
                while (true)
                {
                    var received = await Socket.ReceiveAsync(stop.Token);
                    if (WebRtcDemultiplexer.Classify(received.Buffer) == WebRtcPacketKind.Dtls)
                    {
                        Dtls.Offer(received.Buffer, received.RemoteEndPoint);
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // closing
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            Dtls.Close();
            Socket.Dispose();
            await receiving;
            stop.Dispose();
        }
    }
}
