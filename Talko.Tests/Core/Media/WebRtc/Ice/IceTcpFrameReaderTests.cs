using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.WebRtc.IceTcp;

namespace Talko.Tests.Core.Media.WebRtc.Ice;

/// <summary>RFC 4571 frames over a real loopback TCP connection, as a passive ICE-TCP candidate receives them.</summary>
public class IceTcpFrameReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Frames_split_across_writes_and_packed_into_one_are_read_whole()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancellation.Token);
        using var accepted = await listener.AcceptTcpClientAsync(cancellation.Token);
        var reader = new IceTcpFrameReader(accepted.GetStream());

        var first = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var second = new byte[] { 0x16, 0xFE, 0xFD };
        var wire = new byte[2 + first.Length + 2 + 2 + second.Length];
        var offset = IceTcpFraming.WriteFrame(wire, first);
        offset += IceTcpFraming.WriteFrame(wire.AsSpan(offset), []); // an empty frame in between is skipped
        IceTcpFraming.WriteFrame(wire.AsSpan(offset), second);

        var sending = client.GetStream();
        await sending.WriteAsync(wire.AsMemory(0, 1), cancellation.Token); // half a prefix
        await sending.FlushAsync(cancellation.Token);
        await Task.Delay(50, cancellation.Token);
        await sending.WriteAsync(wire.AsMemory(1, 150), cancellation.Token);
        await sending.FlushAsync(cancellation.Token);
        await Task.Delay(50, cancellation.Token);
        await sending.WriteAsync(wire.AsMemory(151), cancellation.Token);

        var buffer = new byte[IceTcpFrameReader.DefaultMaxFrameLength];
        Assert.Equal(first.Length, await reader.ReadFrameAsync(buffer, cancellation.Token));
        Assert.Equal(first, buffer[..first.Length]);
        Assert.Equal(second.Length, await reader.ReadFrameAsync(buffer, cancellation.Token));
        Assert.Equal(second, buffer[..second.Length]);

        client.Client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await reader.ReadFrameAsync(buffer, cancellation.Token));
    }

    [Fact]
    public async Task An_oversized_frame_or_a_stream_that_ends_inside_a_frame_is_an_error()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        var buffer = new byte[IceTcpFrameReader.DefaultMaxFrameLength];
        var oversized = new IceTcpFrameReader(new MemoryStream([0x05, 0xDD, 1, 2, 3]));
        Assert.Equal(-1, await oversized.ReadFrameAsync(buffer, cancellation.Token));

        var cut = new IceTcpFrameReader(new MemoryStream([0x00, 0x10, 1, 2, 3]));
        Assert.Equal(-1, await cut.ReadFrameAsync(buffer, cancellation.Token));

        var halfPrefix = new IceTcpFrameReader(new MemoryStream([0x00]));
        Assert.Equal(-1, await halfPrefix.ReadFrameAsync(buffer, cancellation.Token));
    }
}
