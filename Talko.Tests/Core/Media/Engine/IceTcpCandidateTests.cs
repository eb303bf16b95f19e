using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Rtp;
using Talko.Core.Media.WebRtc.IceTcp;
using Talko.Core.Media.WebRtc.Sdp;
using Talko.Core.Media.WebRtc.Stun;
using Talko.Core.Sip.Sdp;
using Talko.Tests.Core.Media.WebRtc.Ice;
using Talko.Tests.Core.Media.WebRtc.Sdp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Media.Engine;

/// <summary>
/// The passive ICE-TCP candidate (ADR 0721): the answer names it; a connection whose first frame is not a check for a
/// live leg is closed; one whose check names a leg belongs to it, and the check is answered over the same connection.
/// (A browser talking over it: Talko.Tests.Web.WebRtc.BrowserCallTests.)
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class IceTcpCandidateTests
{
    [Fact]
    public async Task Connections_are_matched_to_legs_by_their_first_check_and_strangers_are_closed()
    {
        var basePort = TestRtpPorts.Block(4);
        var tcpPort = FreePort.Find();
        await using var engine = new ConferenceMediaEngine(
            Options.Create(new MediaEngineOptions
            {
                RtpPorts = new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 3 },
                WebRtc = new() { IceTcpPort = tcpPort },
            }),
            TimeProvider.System);

        var (leg, text) = engine.AddWebRtcLeg("conf-tcp", LegId.WebRtc("tcp"), WebRtcSdpOffer.Parse(WebRtcSdpTests.BrowserOffer(), 16 * 1024));
        Assert.True(SdpSession.TryParse(text, out var answer));
        var audio = answer.Media[0];
        Assert.Contains(audio.Attributes, a => a is { Key: "candidate" } && a.Value!.EndsWith($" 127.0.0.1 {tcpPort} typ host tcptype passive", StringComparison.Ordinal));
        var ufrag = audio.Attribute("ice-ufrag")!;
        var password = audio.Attribute("ice-pwd")!;

        // Not STUN at all, and a check for a leg that does not exist: both closed by the server.
        foreach (var first in new[] { new byte[] { 0x16, 0xFE, 0xFD, 0, 0 }, IceLiteResponderTests.Check(username: "nobody:vYx1", password: password) })
        {
            using var stranger = await ConnectAsync(tcpPort);
            await stranger.GetStream().WriteAsync(Frame(first));
            var closed = await stranger.GetStream().ReadAsync(new byte[64]).AsTask().WaitAsync(TestTimeouts.Default);
            Assert.Equal(0, closed);
        }

        // A nominating check for the leg: answered on the connection, and its address becomes the selected pair.
        using var client = await ConnectAsync(tcpPort);
        await client.GetStream().WriteAsync(Frame(IceLiteResponderTests.Check(username: $"{ufrag}:vYx1", password: password, useCandidate: true)));
        var reader = new IceTcpFrameReader(client.GetStream());
        var buffer = new byte[1500];
        var length = await reader.ReadFrameAsync(buffer, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        Assert.True(length > 0);
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(buffer.AsSpan(0, length), out var response));
        Assert.Equal(StunClass.SuccessResponse, response.Class);
        Assert.True(response.TryGetXorMappedAddress(out var mapped));
        Assert.Equal(client.Client.LocalEndPoint, mapped);
        Assert.Equal(client.Client.LocalEndPoint, leg.WebRtc!.Ice.SelectedEndpoint);
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TestTimeouts.Default);
        return client;
    }

    private static byte[] Frame(byte[] packet)
    {
        var framed = new byte[IceTcpFraming.PrefixLength + packet.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)packet.Length);
        packet.CopyTo(framed, IceTcpFraming.PrefixLength);
        return framed;
    }
}
