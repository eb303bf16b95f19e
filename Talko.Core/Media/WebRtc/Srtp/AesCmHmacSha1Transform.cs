using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// AES_CM_128_HMAC_SHA1_80 (RFC 3711 sections 4.1.1 and 4.2): AES counter mode over the payload, then an
/// HMAC-SHA1 over the packet (plus the rollover counter for SRTP) truncated to 80 bits. The tag is checked before
/// anything is decrypted.
/// </summary>
internal sealed class AesCmHmacSha1Transform : SrtpTransform
{
    public const int AuthenticationKeyLength = 20;
    private const int Tag = 10;
    private const int SessionSaltLength = 14;

    private readonly AesCounterMode counter;
    private readonly IncrementalHash hmac;
    private readonly byte[] sessionSalt;

    public AesCmHmacSha1Transform(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionSalt, ReadOnlySpan<byte> authenticationKey)
    {
        counter = new AesCounterMode(sessionKey);
        this.sessionSalt = sessionSalt.ToArray();
        hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authenticationKey);
    }

    public override int TagLength => Tag;

    public override int ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index)
    {
        Crypt(packet[headerLength..length], ssrc, index);
        WriteRtpTag(packet[..length], (uint)(index >> 16), packet.Slice(length, Tag));
        return length + Tag;
    }

    public override int UnprotectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index)
    {
        var plainLength = length - Tag;
        Span<byte> expected = stackalloc byte[Tag];
        WriteRtpTag(packet[..plainLength], (uint)(index >> 16), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet.Slice(plainLength, Tag)))
        {
            return -1;
        }

        Crypt(packet[headerLength..plainLength], ssrc, index);
        return plainLength;
    }

    public override int ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index)
    {
        Crypt(packet[RtcpHeaderLength..length], ssrc, index);
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], index | EncryptedFlag);
        var authenticated = length + RtcpIndexLength;
        WriteTag(packet[..authenticated], default, packet.Slice(authenticated, Tag));
        return authenticated + Tag;
    }

    public override int UnprotectRtcp(Span<byte> packet, int length, uint ssrc, uint flaggedIndex)
    {
        var authenticated = length - Tag;
        Span<byte> expected = stackalloc byte[Tag];
        WriteTag(packet[..authenticated], default, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet.Slice(authenticated, Tag)))
        {
            return -1;
        }

        var plainLength = authenticated - RtcpIndexLength;
        if ((flaggedIndex & EncryptedFlag) != 0)
        {
            Crypt(packet[RtcpHeaderLength..plainLength], ssrc, flaggedIndex & ~EncryptedFlag);
        }

        return plainLength;
    }

    public override int RtcpIndexOffset(int length) => length - Tag - RtcpIndexLength;

    /// <summary>IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), section 4.1.1.</summary>
    private void Crypt(Span<byte> payload, uint ssrc, ulong index)
    {
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        iv.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(iv[6..], index & 0xFFFF_FFFF_FFFF); // octets 8-13; 6-7 stay zero
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], ssrc);
        for (var i = 0; i < SessionSaltLength; i++)
        {
            iv[i] ^= sessionSalt[i];
        }

        counter.Apply(iv, payload);
    }

    private void WriteRtpTag(ReadOnlySpan<byte> authenticated, uint rolloverCounter, Span<byte> tag)
    {
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, rolloverCounter);
        WriteTag(authenticated, roc, tag);
    }

    private void WriteTag(ReadOnlySpan<byte> authenticated, ReadOnlySpan<byte> suffix, Span<byte> tag)
    {
        Span<byte> full = stackalloc byte[AuthenticationKeyLength];
        hmac.AppendData(authenticated);
        if (!suffix.IsEmpty)
        {
            hmac.AppendData(suffix);
        }

        hmac.TryGetHashAndReset(full, out _);
        full[..Tag].CopyTo(tag);
    }

    public override void Dispose()
    {
        counter.Dispose();
        hmac.Dispose();
    }
}
