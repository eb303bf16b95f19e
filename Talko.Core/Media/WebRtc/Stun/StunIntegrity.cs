using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Talko.Core.Media.WebRtc.Stun;

/// <summary>MESSAGE-INTEGRITY (RFC 8489 section 14.5): HMAC-SHA1 over the message before the attribute, its length field covering the attribute.</summary>
internal static class StunIntegrity
{
    public const int Length = 20;

    public static void Compute(ReadOnlySpan<byte> message, int integrityOffset, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Span<byte> header = stackalloc byte[StunConstants.HeaderLength];
        message[..StunConstants.HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(integrityOffset + 4 + Length - StunConstants.HeaderLength));
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        hmac.AppendData(header);
        hmac.AppendData(message[StunConstants.HeaderLength..integrityOffset]);
        hmac.TryGetHashAndReset(destination, out _);
    }
}
