using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Sip.Registrar;

/// <summary>H() of HTTP digest over a string's UTF-8 bytes, without a byte array per call for the usual short inputs.</summary>
internal static class DigestHash
{
    public const int MaxHashBytes = 32;

    /// <summary>Inputs up to this many bytes are encoded on the stack; a longer one (a huge URI) gets an array.</summary>
    private const int StackBytes = 512;

    /// <summary>Writes H(<paramref name="text"/>) into <paramref name="destination"/> and returns its length in bytes.</summary>
    public static int Hash(DigestAlgorithm algorithm, string text, Span<byte> destination)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = count <= StackBytes ? stackalloc byte[StackBytes] : new byte[count];
        bytes = bytes[..Encoding.UTF8.GetBytes(text, bytes)];
        if (algorithm == DigestAlgorithm.Md5)
        {
            Md5.HashData(bytes, destination);
            return Md5.HashSizeInBytes;
        }

        return SHA256.HashData(bytes, destination);
    }

    /// <summary>H(<paramref name="text"/>) as lower-case hex, the form digest feeds into the next hash.</summary>
    public static string Hex(DigestAlgorithm algorithm, string text)
    {
        Span<byte> hash = stackalloc byte[MaxHashBytes];
        return Convert.ToHexStringLower(hash[..Hash(algorithm, text, hash)]);
    }
}
