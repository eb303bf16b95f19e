using System.Buffers.Binary;

namespace Talko.Core.Media.WebRtc.IceTcp;

/// <summary>
/// Reads RFC 4571 frames from one passive ICE-TCP connection (RFC 6544). A frame longer than the limit means the
/// peer is not speaking ICE-TCP (or is hostile): <see cref="ReadFrameAsync"/> reports it and the caller closes the
/// connection. Empty frames carry nothing and are skipped.
/// </summary>
public sealed class IceTcpFrameReader(Stream stream, int maxFrameLength = IceTcpFrameReader.DefaultMaxFrameLength)
{
    /// <summary>The largest datagram the UDP path takes, so TCP brings nothing UDP would not.</summary>
    public const int DefaultMaxFrameLength = 1500;

    private readonly byte[] prefix = new byte[IceTcpFraming.PrefixLength];

    /// <summary>
    /// Reads the next frame into <paramref name="destination"/> (at least the limit long): its length, 0 at a clean end
    /// of stream, or -1 for a frame over the limit or a stream that ends inside a frame.
    /// </summary>
    public async ValueTask<int> ReadFrameAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await ReadFullyAsync(prefix, cancellationToken);
            if (read == 0)
            {
                return 0;
            }

            if (read < IceTcpFraming.PrefixLength)
            {
                return -1;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
            if (length > maxFrameLength || length > destination.Length)
            {
                return -1;
            }

            if (length == 0)
            {
                continue;
            }

            return await ReadFullyAsync(destination[..length], cancellationToken) == length ? length : -1;
        }
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
