using System.Buffers.Binary;
using System.Numerics;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// MD5 (RFC 1321) in managed code, for the short strings of SIP digest (RFC 3261 section 22.4): two or three 64-byte
/// blocks each. <c>System.Security.Cryptography.MD5</c> goes to OpenSSL for every call, whose context set-up, error
/// queue clearing and locks cost several times the hashing itself at this size; a REGISTER hashes twice (ADR 0170).
/// MD5 here is the digest's protocol function, not a security choice (ADR 0162 covers SHA-256).
/// </summary>
internal static class Md5
{
    public const int HashSizeInBytes = 16;

    /// <summary>floor(abs(sin(i + 1)) * 2^32) for i = 0..63 (RFC 1321 section 3.4).</summary>
    private static ReadOnlySpan<uint> Sines =>
    [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ];

    /// <summary>Left-rotation amounts, four per round (RFC 1321 section 3.4).</summary>
    private static ReadOnlySpan<byte> Shifts => [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

    /// <summary>Writes the 16-byte MD5 of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes)
        {
            throw new ArgumentException("The destination is shorter than an MD5 hash.", nameof(destination));
        }

        Span<uint> state = stackalloc uint[4];
        state[0] = 0x67452301;
        state[1] = 0xefcdab89;
        state[2] = 0x98badcfe;
        state[3] = 0x10325476;
        var whole = source.Length - source.Length % 64;
        for (var offset = 0; offset < whole; offset += 64)
        {
            Compress(state, source.Slice(offset, 64));
        }

        // Padding: 0x80, zeros to 56 bytes mod 64, then the message length in bits, little-endian (section 3.1-3.2).
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = source[whole..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var tailLength = rest.Length < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[(tailLength - 8)..], (ulong)source.Length * 8);
        for (var offset = 0; offset < tailLength; offset += 64)
        {
            Compress(state, tail.Slice(offset, 64));
        }

        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(i * 4)..], state[i]);
        }
    }

    private static void Compress(Span<uint> state, ReadOnlySpan<byte> block)
    {
        Span<uint> words = stackalloc uint[16];
        for (var i = 0; i < 16; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3];
        var sines = Sines;
        var shifts = Shifts;
        for (var i = 0; i < 64; i++)
        {
            uint mixed;
            int word;
            switch (i >> 4)
            {
                case 0:
                    mixed = (b & c) | (~b & d);
                    word = i;
                    break;
                case 1:
                    mixed = (b & d) | (c & ~d);
                    word = (5 * i + 1) & 15;
                    break;
                case 2:
                    mixed = b ^ c ^ d;
                    word = (3 * i + 5) & 15;
                    break;
                default:
                    mixed = c ^ (b | ~d);
                    word = (7 * i) & 15;
                    break;
            }

            var rotated = BitOperations.RotateLeft(a + mixed + sines[i] + words[word], shifts[((i >> 4) << 2) | (i & 3)]);
            a = d;
            d = c;
            c = b;
            b += rotated;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
    }
}
