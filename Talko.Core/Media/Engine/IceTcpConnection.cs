using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.WebRtc.IceTcp;

namespace Talko.Core.Media.Engine;

/// <summary>One accepted ICE-TCP connection (RFC 6544, passive side): RFC 4571 frames in, framed writes out.</summary>
internal sealed class IceTcpConnection : IDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly Lock writeGate = new();
    private readonly byte[] writeBuffer;
    private readonly Action released;
    private int disposed;

    public IceTcpConnection(Socket socket, int maxFrameLength, Action released)
    {
        this.socket = socket;
        this.released = released;
        socket.NoDelay = true;
        stream = new NetworkStream(socket, ownsSocket: true);
        Reader = new IceTcpFrameReader(stream, maxFrameLength);
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
        writeBuffer = new byte[IceTcpFraming.PrefixLength + maxFrameLength + 64];
    }

    public IPEndPoint Remote { get; }

    public IceTcpFrameReader Reader { get; }

    /// <summary>Writes one framed packet; false when the connection is gone.</summary>
    public bool Send(ReadOnlySpan<byte> packet)
    {
        if (packet.Length + IceTcpFraming.PrefixLength > writeBuffer.Length)
        {
            return false;
        }

        try
        {
            lock (writeGate)
            {
                var length = IceTcpFraming.WriteFrame(writeBuffer, packet);
                stream.Write(writeBuffer, 0, length);
            }

            return true;
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        stream.Dispose();
        socket.Dispose();
        released();
    }
}
