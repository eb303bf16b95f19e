using System.Collections.Concurrent;
using System.Net;
using Org.BouncyCastle.Tls;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// The datagram transport BouncyCastle's DTLS runs over: the demultiplexer offers it the DTLS datagrams of one leg
/// (checked for source and shape, bounded in size and number), and what DTLS sends goes out through the leg's socket.
/// BouncyCastle reads on its own thread and blocks; this class is the hand-over between the two.
/// </summary>
public sealed class DtlsPacketChannel : DatagramTransport
{
    public const int DefaultMaxDatagramSize = 1500;
    public const int DefaultQueueCapacity = 64;

    private readonly Func<IPEndPoint, bool> isPeer;
    private readonly Action<ReadOnlySpan<byte>> send;
    private readonly int maxDatagramSize;
    private readonly BlockingCollection<byte[]> queue;
    private volatile bool closed;

    /// <param name="isPeer">Whether a datagram's source is the peer (typically the ICE responder's permission check).</param>
    /// <param name="send">Sends one datagram to the peer (the selected ICE pair).</param>
    /// <param name="maxDatagramSize">Datagrams above this are dropped; also DTLS's send limit.</param>
    /// <param name="queueCapacity">Datagrams waiting for the DTLS thread before more are dropped.</param>
    public DtlsPacketChannel(Func<IPEndPoint, bool> isPeer, Action<ReadOnlySpan<byte>> send, int maxDatagramSize = DefaultMaxDatagramSize, int queueCapacity = DefaultQueueCapacity)
    {
        this.isPeer = isPeer;
        this.send = send;
        this.maxDatagramSize = maxDatagramSize;
        queue = new BlockingCollection<byte[]>(queueCapacity);
    }

    /// <summary>Offers one datagram the demultiplexer classed as DTLS.</summary>
    public DtlsIntakeResult Offer(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (closed)
        {
            return DtlsIntakeResult.Closed;
        }

        if (!isPeer(source))
        {
            return DtlsIntakeResult.Stranger;
        }

        if (datagram.Length > maxDatagramSize)
        {
            return DtlsIntakeResult.TooLarge;
        }

        if (!DtlsRecordCheck.IsWellFormed(datagram))
        {
            return DtlsIntakeResult.Malformed;
        }

        try
        {
            return queue.TryAdd(datagram.ToArray()) ? DtlsIntakeResult.Queued : DtlsIntakeResult.Overflow;
        }
        catch (InvalidOperationException)
        {
            return DtlsIntakeResult.Closed; // completed by Close between the check and the add
        }
    }

    public int GetReceiveLimit() => maxDatagramSize;

    /// <summary>DTLS sizes its records to this; 1200 keeps a handshake flight under any path MTU with ICE-TCP framing.</summary>
    public int GetSendLimit() => Math.Min(maxDatagramSize, 1200);

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>One queued datagram, or -1 when none arrived within <paramref name="waitMillis"/> (BouncyCastle retransmits then).</summary>
    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (closed && queue.Count == 0)
        {
            throw new TlsFatalAlert(AlertDescription.close_notify); // ends a handshake waiting on a closed leg
        }

        try
        {
            if (!queue.TryTake(out var datagram, Math.Max(waitMillis, 0)))
            {
                return -1;
            }

            var length = Math.Min(buffer.Length, datagram.Length);
            datagram.AsSpan(0, length).CopyTo(buffer);
            return length;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (!closed)
        {
            send(buffer);
        }
    }

    /// <summary>Whether the channel was closed: by the leg, or by DTLS after a close_notify or a fatal alert.</summary>
    public bool IsClosed => closed;

    public void Close()
    {
        closed = true;
        queue.CompleteAdding();
    }
}
