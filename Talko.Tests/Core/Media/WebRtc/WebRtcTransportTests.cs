using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media.WebRtc;
using Talko.Core.Media.WebRtc.Demux;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Media.WebRtc.Srtp;
using Talko.Core.Media.WebRtc.Stun;
using Talko.Tests.Core.Media.WebRtc.Ice;

namespace Talko.Tests.Core.Media.WebRtc;

/// <summary>
/// One leg's transport end to end over loopback UDP, against a browser-like peer built from Talko's client pieces:
/// an ICE check with USE-CANDIDATE, a DTLS-SRTP handshake, SRTP both ways, strangers, a replay, and consent lapsing.
/// </summary>
public sealed class WebRtcTransportTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DtlsCertificate ServerCertificate = DtlsCertificate.Create("talko", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
    private static readonly DtlsCertificate BrowserCertificate = DtlsCertificate.Create("browser", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);

    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private readonly UdpClient serverSocket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly UdpClient browserSocket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource stop = new(Timeout * 2);
    private readonly WebRtcTransport transport;
    private readonly DtlsPacketChannel browserDtls;
    private readonly ConcurrentQueue<byte[]> serverMedia = new();
    private readonly ConcurrentQueue<byte[]> browserMedia = new();
    private readonly ConcurrentQueue<byte[]> browserStun = new();
    private readonly List<Task> loops = [];

    public WebRtcTransportTests()
    {
        transport = new WebRtcTransport(
            new IceCredentials("srvr", "serverPassword0123456789"), "brws", ServerCertificate, BrowserCertificate.Fingerprint,
            (datagram, target) => serverSocket.Client.SendTo(datagram.Span, SocketFlags.None, target), time, TimeSpan.FromSeconds(30));
        browserDtls = new DtlsPacketChannel(source => source.Equals(ServerEndpoint), datagram => browserSocket.Client.SendTo(datagram, SocketFlags.None, ServerEndpoint));
        loops.Add(ServerLoopAsync());
        loops.Add(BrowserLoopAsync());
    }

    private IPEndPoint ServerEndpoint => (IPEndPoint)serverSocket.Client.LocalEndPoint!;
    private IPEndPoint BrowserEndpoint => (IPEndPoint)browserSocket.Client.LocalEndPoint!;

    private async Task ServerLoopAsync()
    {
        try
        {
            while (true)
            {
                var received = await serverSocket.ReceiveAsync(stop.Token);
                var datagram = received.Buffer;
                if (transport.Receive(datagram, received.RemoteEndPoint, out var length) == WebRtcReceiveResult.Rtp)
                {
                    serverMedia.Enqueue(datagram[..length]);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // closing
        }
    }

    private async Task BrowserLoopAsync()
    {
        try
        {
            while (true)
            {
                var received = await browserSocket.ReceiveAsync(stop.Token);
                switch (WebRtcDemultiplexer.Classify(received.Buffer))
                {
                    case WebRtcPacketKind.Stun:
                        browserStun.Enqueue(received.Buffer);
                        break;
                    case WebRtcPacketKind.Dtls:
                        browserDtls.Offer(received.Buffer, received.RemoteEndPoint);
                        break;
                    case WebRtcPacketKind.Rtp:
                        browserMedia.Enqueue(received.Buffer);
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // closing
        }
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static byte[] Rtp(ushort sequence, byte fill)
    {
        var packet = new byte[12 + 80 + 16];
        packet[0] = 0x80;
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0xB0B0);
        packet.AsSpan(12, 80).Fill(fill);
        return packet;
    }

    [Fact]
    public async Task A_browser_checks_nominates_handshakes_and_exchanges_srtp_while_strangers_and_replays_are_counted()
    {
        // ICE: one nominating check, answered with the browser's own address.
        await browserSocket.SendAsync(IceLiteResponderTests.Check(useCandidate: true), ServerEndpoint);
        await Until(() => !browserStun.IsEmpty, "the check's answer");
        browserStun.TryDequeue(out var answer);
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(answer, out var response));
        Assert.Equal(StunClass.SuccessResponse, response.Class);
        Assert.True(response.TryGetXorMappedAddress(out var mapped));
        Assert.Equal(BrowserEndpoint, mapped);
        Assert.Equal(BrowserEndpoint, transport.Ice.SelectedEndpoint);

        // DTLS: the browser is the client (a=setup:active).
        using var browser = await DtlsSrtpHandshake.ConnectAsync(BrowserCertificate, ServerCertificate.Fingerprint, browserDtls, TimeSpan.FromSeconds(30)).WaitAsync(Timeout);
        var server = await transport.Secured.WaitAsync(Timeout);
        Assert.Equal(SrtpProfile.AeadAes128Gcm, server.Profile);

        // SRTP browser -> Talko.
        using var browserSender = browser.CreateSender();
        var sent = new List<byte[]>();
        for (ushort n = 1; n <= 5; n++)
        {
            var packet = Rtp(n, (byte)n);
            Assert.Equal(SrtpResult.Ok, browserSender.ProtectRtp(packet, 12 + 80, out var length));
            sent.Add(packet[..length]);
            await browserSocket.SendAsync(sent[^1], ServerEndpoint);
        }

        await Until(() => serverMedia.Count == 5, "five RTP packets at Talko");
        Assert.Equal(Enumerable.Range(1, 5).Select(n => (byte)n), serverMedia.Select(p => p[12]));
        Assert.All(serverMedia, p => Assert.Equal(12 + 80, p.Length));

        // SRTP Talko -> browser, to the selected pair.
        using var browserReceiver = browser.CreateReceiver();
        var outgoing = Rtp(77, 0x5A);
        Assert.True(transport.TrySendRtp(outgoing, 12 + 80));
        await Until(() => !browserMedia.IsEmpty, "Talko's RTP at the browser");
        browserMedia.TryDequeue(out var fromTalko);
        Assert.Equal(SrtpResult.Ok, browserReceiver.UnprotectRtp(fromTalko!, out var plainLength));
        Assert.Equal(12 + 80, plainLength);
        Assert.Equal(0x5A, fromTalko![50]);

        // A replay, and a stranger sending a copied SRTP packet, a DTLS record and junk.
        await browserSocket.SendAsync(sent[2], ServerEndpoint);
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await stranger.SendAsync(sent[3], ServerEndpoint);
        await stranger.SendAsync(new byte[] { 22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, ServerEndpoint);
        await stranger.SendAsync(new byte[] { 0x50, 1, 2, 3 }, ServerEndpoint);
        await Until(() => transport.Dropped(WebRtcDropReason.SrtpReplayed) == 1 && transport.Dropped(WebRtcDropReason.MediaStranger) == 1
            && transport.Dropped(WebRtcDropReason.DtlsStranger) == 1 && transport.Dropped(WebRtcDropReason.UnknownProtocol) == 1, "the drops counted");
        Assert.Equal(5, serverMedia.Count);

        // Consent lapses 30 s after the last check: media from the browser is then a stranger's, and nothing is sent.
        var lapsed = new TaskCompletionSource();
        transport.Ice.ConsentLapsed += () => lapsed.TrySetResult();
        time.Advance(TimeSpan.FromSeconds(31));
        await lapsed.Task.WaitAsync(Timeout);
        var late = Rtp(6, 6);
        browserSender.ProtectRtp(late, 12 + 80, out var lateLength);
        await browserSocket.SendAsync(late.AsMemory(0, lateLength), ServerEndpoint);
        await Until(() => transport.Dropped(WebRtcDropReason.MediaStranger) == 2, "the late packet dropped");
        Assert.False(transport.TrySendRtp(Rtp(78, 1), 12 + 80));
    }

    [Fact]
    public async Task Dtls_and_media_before_any_valid_check_are_dropped()
    {
        await browserSocket.SendAsync(new byte[] { 22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, ServerEndpoint);
        await browserSocket.SendAsync(Rtp(1, 1), ServerEndpoint);
        await browserSocket.SendAsync(IceLiteResponderTests.Check(password: "wrongPassword01234567890"), ServerEndpoint);
        await Until(() => transport.Dropped(WebRtcDropReason.DtlsStranger) == 1 && transport.Dropped(WebRtcDropReason.MediaStranger) == 1
            && transport.Dropped(WebRtcDropReason.StunRefused) == 1, "the drops counted");

        await browserSocket.SendAsync(IceLiteResponderTests.Check(seed: 3), ServerEndpoint);
        await Until(() => transport.Ice.IsPermitted(BrowserEndpoint), "the valid check");
        await browserSocket.SendAsync(Rtp(2, 2), ServerEndpoint);
        await Until(() => transport.Dropped(WebRtcDropReason.MediaBeforeKeys) == 1, "media before keys dropped");
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        serverSocket.Dispose();
        browserSocket.Dispose();
        await Task.WhenAll(loops);
        browserDtls.Close();
        transport.Dispose();
        stop.Dispose();
    }
}
