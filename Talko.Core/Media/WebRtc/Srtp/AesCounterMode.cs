using System.Numerics;
using System.Security.Cryptography;

namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// AES in counter mode as SRTP defines it (RFC 3711 section 4.1.1): keystream block i is AES(key, IV + i), with
/// the block counter in the IV's last 16 bits. .NET has no CTR mode, so counter blocks are encrypted with a reused
/// ECB transform (one native context for the key's lifetime: no allocation per packet). Not thread-safe.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    public const int BlockLength = 16;

    /// <summary>Counter blocks encrypted per ECB call; a 1500-byte datagram is 94 blocks, so one call per packet.</summary>
    private const int ChunkBlocks = 96;

    private readonly Aes aes;
    private readonly ICryptoTransform encryptor;
    private readonly byte[] counterBlocks = new byte[ChunkBlocks * BlockLength];
    private readonly byte[] keystream = new byte[ChunkBlocks * BlockLength];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        aes = Aes.Create();
        aes.Key = key.ToArray();
        aes.Mode = CipherMode.ECB;
        aes.Padding = PaddingMode.None;
        encryptor = aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at <paramref name="iv"/> (16 bytes, low 16 bits zero) into <paramref name="data"/>.</summary>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        if (data.Length > (1 << 16) * BlockLength)
        {
            throw new ArgumentException("SRTP keystreams are at most 2^16 blocks", nameof(data));
        }

        var block = 0;
        while (!data.IsEmpty)
        {
            var blocks = Math.Min(ChunkBlocks, (data.Length + BlockLength - 1) / BlockLength);
            for (var i = 0; i < blocks; i++)
            {
                var counter = counterBlocks.AsSpan(i * BlockLength, BlockLength);
                iv.CopyTo(counter);
                var value = block + i;
                counter[14] ^= (byte)(value >> 8);
                counter[15] ^= (byte)value;
            }

            var bytes = blocks * BlockLength;
            encryptor.TransformBlock(counterBlocks, 0, bytes, keystream, 0);
            var take = Math.Min(bytes, data.Length);
            Xor(data[..take], keystream.AsSpan(0, take));
            data = data[take..];
            block += blocks;
        }
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<byte>.Count <= target.Length; i += Vector<byte>.Count)
            {
                (new Vector<byte>(target[i..]) ^ new Vector<byte>(keystream[i..])).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] ^= keystream[i];
        }
    }

    public void Dispose()
    {
        encryptor.Dispose();
        aes.Dispose();
    }
}
