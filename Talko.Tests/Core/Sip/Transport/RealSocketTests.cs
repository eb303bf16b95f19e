using System.Net;
using System.Net.Sockets;
using System.Text;
using Talko.Core.Sip.Messages;
using Talko.Tests.Infrastructure.Sip;
using Xunit.Abstractions;

namespace Talko.Tests.Core.Sip.Transport;

/// <summary>The engine on real sockets: UDP and TCP, IPv4 and IPv6, and a flood of garbage that must not stop it.</summary>
public sealed class RealSocketTests(ITestOutputHelper output)
{
    private int transmissions;

    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);

    private static string Options(string branch, int localPort, string transport = "UDP", string host = "127.0.0.1") => SipText.Message(
        $"OPTIONS sip:talko@{host} SIP/2.0",
        $"Via: SIP/2.0/{transport} {host}:{localPort};branch=z9hG4bK{branch};rport",
        "Max-Forwards: 70",
        "From: <sip:probe@example.org>;tag=p1",
        $"To: <sip:talko@{host}>",
        $"Call-ID: {branch}",
        "CSeq: 1 OPTIONS",
        "Content-Length: 0");

    /// <summary>Sends OPTIONS and retransmits it every T1 like any UDP client (RFC 3261 timer E) until answered.</summary>
    private async Task<SipResponse> AskOverUdpAsync(Socket socket, IPEndPoint server, string branch)
    {
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var host = server.AddressFamily == AddressFamily.InterNetworkV6 ? "[::1]" : "127.0.0.1";
        var request = Encoding.UTF8.GetBytes(Options(branch, local.Port, host: host));
        var buffer = new byte[65535];
        var any = new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await socket.SendToAsync(request, server);
            Interlocked.Increment(ref transmissions);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, any, wait.Token);
                    var message = SipMessageParser.Parse(buffer.AsSpan(0, received.ReceivedBytes), new SipParserOptions()).Message;
                    if (message is SipResponse response && response.CallId == branch)
                    {
                        return response;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        throw new TimeoutException($"no answer to {branch} after 20 transmissions");
    }

    [Fact]
    public async Task Options_over_udp_on_ipv6_loopback_gets_200()
    {
        if (!Socket.OSSupportsIPv6)
        {
            throw new InvalidOperationException("IPv6 is required for this test");
        }

        await using var host = await RealSipEngineHost.StartAsync(IPAddress.IPv6Loopback);
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var response = await AskOverUdpAsync(socket, new IPEndPoint(IPAddress.IPv6Loopback, host.Port), "v6probe");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("::1", response.TopVia.Received);
    }

    [Fact]
    public async Task Options_over_tcp_get_200_on_the_same_connection_even_when_split_and_pipelined()
    {
        await using var host = await RealSipEngineHost.StartAsync();
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, host.Port).WaitAsync(Timeout10s);
        var local = (IPEndPoint)client.Client.LocalEndPoint!;
        var bytes = Encoding.UTF8.GetBytes("\r\n\r\n" + Options("tcp1", local.Port, "TCP") + Options("tcp2", local.Port, "TCP"));
        var stream = client.GetStream();
        foreach (var chunk in bytes.Chunk(50))
        {
            await stream.WriteAsync(chunk).AsTask().WaitAsync(Timeout10s);
            await stream.FlushAsync();
        }
        var framer = new SipStreamFramer(new SipParserOptions());
        var responses = new List<SipResponse>();
        var buffer = new byte[4096];
        while (responses.Count < 2)
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout10s);
            Assert.True(read > 0, "connection closed early");
            framer.Append(buffer.AsSpan(0, read));
            while (framer.TryTake(out var message))
            {
                responses.Add((SipResponse)SipMessageParser.Parse(message, new SipParserOptions(), isDatagram: false).Message!);
            }
        }
        Assert.Equal(["tcp1", "tcp2"], responses.Select(r => r.CallId));
        Assert.All(responses, r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task Flood_of_random_and_truncated_datagrams_does_not_stop_valid_options()
    {
        await using var host = await RealSipEngineHost.StartAsync();
        var server = new IPEndPoint(IPAddress.Loopback, host.Port);
        var valid = Encoding.UTF8.GetBytes(Options("template", 5060) + "");
        var invite = Encoding.UTF8.GetBytes(SipText.MessageWithBody("v=0\r\n", "INVITE sip:conf@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKflood",
            "From: <sip:a@b>;tag=1", "To: <sip:conf@127.0.0.1>", "Call-ID: flood", "CSeq: 1 INVITE", "Content-Type: application/sdp", "Content-Length: {len}"));

        using var stop = new CancellationTokenSource();
        var random = new Random(4475);
        var sentGarbage = 0;
        var flood = Task.Run(async () =>
        {
            using var floodSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            floodSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var buffer = new byte[1500];
            while (!stop.IsCancellationRequested && sentGarbage < 200_000)
            {
                ReadOnlyMemory<byte> datagram;
                switch (sentGarbage % 3)
                {
                    case 0:
                        random.NextBytes(buffer);
                        datagram = buffer.AsMemory(0, random.Next(1, buffer.Length));
                        break;
                    case 1:
                        datagram = invite.AsMemory(0, random.Next(1, invite.Length));
                        break;
                    default:
                        // A valid head with a byte flipped somewhere.
                        valid.CopyTo(buffer, 0);
                        buffer[random.Next(valid.Length)] = (byte)random.Next(256);
                        datagram = buffer.AsMemory(0, valid.Length);
                        break;
                }
                await floodSocket.SendToAsync(datagram, server);
                sentGarbage++;
                if (sentGarbage % 64 == 0)
                {
                    await Task.Yield();
                }
            }
        });

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var answered = 0;
        for (var i = 0; i < 40; i++)
        {
            var response = await AskOverUdpAsync(probe, server, $"probe{i}");
            Assert.Equal(200, response.StatusCode);
            answered++;
            await Task.Delay(25);
        }
        await stop.CancelAsync();
        await flood.WaitAsync(Timeout10s);

        Assert.Equal(40, answered);
        output.WriteLine($"{sentGarbage} garbage datagrams; 40 OPTIONS needed {transmissions} transmissions; dropped {host.Engine.Transport.Stats.MalformedDropped}, answered {host.Engine.Transport.Stats.MalformedAnswered}");
        var stats = host.Engine.Transport.Stats;
        Assert.True(sentGarbage > 1000, $"only {sentGarbage} garbage datagrams were sent");
        Assert.True(stats.MalformedDropped + stats.MalformedAnswered > 500, $"dropped {stats.MalformedDropped}, answered {stats.MalformedAnswered}");
        // Still alive afterwards.
        Assert.Equal(200, (await AskOverUdpAsync(probe, server, "after")).StatusCode);
    }
}
