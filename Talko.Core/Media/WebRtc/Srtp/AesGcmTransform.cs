using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// AEAD_AES_128_GCM for SRTP and SRTCP (RFC 7714): the header (for SRTCP the first 8 bytes plus the E|index word)
/// is authenticated data, the payload is encrypted, and a 16-byte tag follows the ciphertext.
/// </summary>
internal sealed class AesGcmTransform : SrtpTransform
{
    private const int Tag = 16;
    private const int NonceLength = 12;

    private readonly AesGcm gcm;
    private readonly byte[] sessionSalt;

    public AesGcmTransform(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> sessionSalt)
    {
        gcm = new AesGcm(sessionKey, Tag);
        this.sessionSalt = sessionSalt.ToArray();
    }

    public override int TagLength => Tag;

    public override int ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteRtpNonce(nonce, ssrc, index);
        var payload = packet[headerLength..length];
        gcm.Encrypt(nonce, payload, payload, packet.Slice(length, Tag), packet[..headerLength]);
        return length + Tag;
    }

    public override int UnprotectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteRtpNonce(nonce, ssrc, index);
        var plainLength = length - Tag;
        var payload = packet[headerLength..plainLength];
        return Decrypt(nonce, payload, packet.Slice(plainLength, Tag), packet[..headerLength]) ? plainLength : -1;
    }

    public override int ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteRtcpNonce(nonce, ssrc, index);
        Span<byte> aad = stackalloc byte[RtcpHeaderLength + RtcpIndexLength];
        packet[..RtcpHeaderLength].CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], index | EncryptedFlag);
        var payload = packet[RtcpHeaderLength..length];
        gcm.Encrypt(nonce, payload, payload, packet.Slice(length, Tag), aad);
        BinaryPrimitives.WriteUInt32BigEndian(packet[(length + Tag)..], index | EncryptedFlag);
        return length + Tag + RtcpIndexLength;
    }

    public override int UnprotectRtcp(Span<byte> packet, int length, uint ssrc, uint flaggedIndex)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteRtcpNonce(nonce, ssrc, flaggedIndex & ~EncryptedFlag);
        var tagOffset = length - RtcpIndexLength - Tag;
        var tag = packet.Slice(tagOffset, Tag);
        var trailer = packet.Slice(tagOffset + Tag, RtcpIndexLength);
        if ((flaggedIndex & EncryptedFlag) != 0)
        {
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + RtcpIndexLength];
            packet[..RtcpHeaderLength].CopyTo(aad);
            trailer.CopyTo(aad[RtcpHeaderLength..]);
            return Decrypt(nonce, packet[RtcpHeaderLength..tagOffset], tag, aad) ? tagOffset : -1;
        }

        // Authenticated only (RFC 7714 section 9.2): the whole packet and the trailer are the associated data.
        Span<byte> wholeAad = tagOffset + RtcpIndexLength <= 1024 ? stackalloc byte[tagOffset + RtcpIndexLength] : new byte[tagOffset + RtcpIndexLength];
        packet[..tagOffset].CopyTo(wholeAad);
        trailer.CopyTo(wholeAad[tagOffset..]);
        return Decrypt(nonce, Span<byte>.Empty, tag, wholeAad) ? tagOffset : -1;
    }

    public override int RtcpIndexOffset(int length) => length - RtcpIndexLength;

    private bool Decrypt(ReadOnlySpan<byte> nonce, Span<byte> payload, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
    {
        try
        {
            gcm.Decrypt(nonce, payload, tag, payload, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>IV = (00 00 || SSRC || ROC || SEQ) XOR salt (RFC 7714 section 8.1).</summary>
    private void WriteRtpNonce(Span<byte> nonce, uint ssrc, ulong index)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], index & 0xFFFF_FFFF_FFFF); // octets 6-11; 4-5 become the SSRC's
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        XorSalt(nonce);
    }

    /// <summary>IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt (RFC 7714 section 9.1).</summary>
    private void WriteRtcpNonce(Span<byte> nonce, uint ssrc, uint index)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index);
        XorSalt(nonce);
    }

    private void XorSalt(Span<byte> nonce)
    {
        for (var i = 0; i < NonceLength; i++)
        {
            nonce[i] ^= sessionSalt[i];
        }
    }

    public override void Dispose() => gcm.Dispose();
}
