using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Sip.Transport;

/// <summary>TCP limits by source (issue 14): one host cannot take every slot, and a message has a deadline.</summary>
public sealed class TcpLimitTests
{
    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);

    private static string Options(string callId, int localPort) => SipText.Message(
        "OPTIONS sip:talko@127.0.0.1 SIP/2.0",
        $"Via: SIP/2.0/TCP 127.0.0.1:{localPort};branch=z9hG4bK{callId}",
        "Max-Forwards: 70",
        "From: <sip:probe@example.org>;tag=p1",
        "To: <sip:talko@127.0.0.1>",
        $"Call-ID: {callId}",
        "CSeq: 1 OPTIONS",
        "Content-Length: 0");

    private static async Task<SipResponse> AskAsync(NetworkStream stream, int localPort, string callId)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Options(callId, localPort))).AsTask().WaitAsync(Timeout10s);
        var framer = new SipStreamFramer(new SipParserOptions());
        var buffer = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout10s);
            Assert.True(read > 0, "the server closed the connection instead of answering");
            framer.Append(buffer.AsSpan(0, read));
            if (framer.TryTake(out var message))
            {
                return (SipResponse)SipMessageParser.Parse(message, new SipParserOptions(), isDatagram: false).Message!;
            }
        }
    }

    private static TcpSipChannel Tcp(RealSipEngineHost host) => host.Engine.Transport.Channels.OfType<TcpSipChannel>().Single();

    /// <summary>Regression: 1,024 idle connections from one address took every slot, and each refusal logged a Warning.</summary>
    [Fact]
    public async Task Idle_connections_from_one_address_do_not_stop_options_from_another()
    {
        using var logs = new LogCapture();
        await using var host = await RealSipEngineHost.StartAsync(loggers: logs);
        var server = new IPEndPoint(IPAddress.Loopback, host.Port);
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 1100; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(server).WaitAsync(Timeout10s);
            }

            var perAddress = new SipTransportOptions().MaxTcpConnectionsPerAddress;
            await TestTimeouts.CameTrueWithinAsync(() => Tcp(host).RefusedPerAddress >= 1100 - perAddress, TimeSpan.FromSeconds(30));
            Assert.Equal(1100 - perAddress, Tcp(host).RefusedPerAddress);
            Assert.Equal(perAddress, Tcp(host).ConnectionCount);

            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, host.Port).WaitAsync(Timeout10s);
            var response = await AskAsync(client.GetStream(), ((IPEndPoint)client.Client.LocalEndPoint!).Port, "tcp-other");
            Assert.Equal(200, response.StatusCode);

            // A counter and one line per interval, not one Warning per refused connection.
            var refusalLines = logs.Entries.Count(e => e.Event.Id == SipTransportLog.TcpRefusalsEventId);
            Assert.InRange(refusalLines, 1, 2);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Regression: a connection sending a byte every 20 s into an unfinished header was never closed.</summary>
    [Fact]
    public async Task A_connection_trickling_an_unfinished_message_is_closed_at_the_message_deadline()
    {
        await using var host = await RealSipEngineHost.StartAsync(configure: o => o.Transport.TcpMessageTimeout = TimeSpan.FromSeconds(1));
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, host.Port).WaitAsync(Timeout10s);
        var stream = client.GetStream();
        var header = Encoding.ASCII.GetBytes("OPTIONS sip:talko@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKtrickle\r\nX-Padding: ");
        var started = Stopwatch.StartNew();
        var closed = false;
        for (var i = 0; i < header.Length && started.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            try
            {
                await stream.WriteAsync(header.AsMemory(i, 1)).AsTask().WaitAsync(Timeout10s);
            }
            catch (IOException)
            {
                closed = true;
                break;
            }

            if (client.Client.Poll(0, SelectMode.SelectRead) && client.Client.Available == 0)
            {
                closed = true;
                break;
            }

            await Task.Delay(200);
        }

        Assert.True(closed, "the server kept a connection open that never finished its message");
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
        Assert.Equal(1, Tcp(host).ClosedAtMessageDeadline);
    }

    [Fact]
    public async Task The_deadline_is_per_message_so_a_slow_but_complete_dialogue_stays_open()
    {
        await using var host = await RealSipEngineHost.StartAsync(configure: o => o.Transport.TcpMessageTimeout = TimeSpan.FromSeconds(1));
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, host.Port).WaitAsync(Timeout10s);
        var port = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(200, (await AskAsync(client.GetStream(), port, $"slow-{i}")).StatusCode);
            await Task.Delay(500);
        }
        Assert.Equal(0, Tcp(host).ClosedAtMessageDeadline);
    }

    [Fact]
    public void The_per_address_cap_must_be_below_the_global_one()
    {
        var options = new SipTransportOptions { MaxTcpConnections = 10, MaxTcpConnectionsPerAddress = 10 };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("MaxTcpConnectionsPerAddress", error.Message, StringComparison.Ordinal);
    }
}
