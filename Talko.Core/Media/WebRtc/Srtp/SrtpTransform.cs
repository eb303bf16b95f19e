namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// The per-packet cryptography of one profile with one direction's session keys. It knows where tags and indexes
/// go; <see cref="SrtpContext"/> supplies the indexes (rollover counter, SRTCP index) and keeps replay state.
/// Buffers are transformed in place. Not thread-safe.
/// </summary>
internal abstract class SrtpTransform : IDisposable
{
    /// <summary>The SRTCP trailer's E flag: set when the payload is encrypted (RFC 3711 section 3.4).</summary>
    public const uint EncryptedFlag = 0x8000_0000;

    public const int RtcpHeaderLength = 8;
    public const int RtcpIndexLength = 4;

    public abstract int TagLength { get; }

    /// <summary>Encrypts <c>packet[headerLength..length]</c> and appends the tag; returns the protected length.</summary>
    public abstract int ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index);

    /// <summary>Checks the tag of a protected packet and decrypts it; returns the plain length, or -1 if the tag is wrong.</summary>
    public abstract int UnprotectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index);

    /// <summary>Encrypts everything after the first 8 bytes and appends E|index and the tag; returns the protected length.</summary>
    public abstract int ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index);

    /// <summary>
    /// Checks and decrypts a protected RTCP packet whose trailer carries <paramref name="flaggedIndex"/> (E flag and
    /// 31-bit index); returns the plain length, or -1 if the tag is wrong.
    /// </summary>
    public abstract int UnprotectRtcp(Span<byte> packet, int length, uint ssrc, uint flaggedIndex);

    /// <summary>Where the E|index word sits in a protected RTCP packet of <paramref name="length"/> bytes.</summary>
    public abstract int RtcpIndexOffset(int length);

    public abstract void Dispose();

    public static SrtpTransform Create(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool rtcp)
    {
        var saltLength = profile.MasterSaltLength();
        if (masterKey.Length != SrtpProfileSizes.MasterKeyLength || masterSalt.Length != saltLength)
        {
            throw new ArgumentException($"{profile} needs a {SrtpProfileSizes.MasterKeyLength}-byte key and a {saltLength}-byte salt");
        }

        var encryptionLabel = rtcp ? SrtpKeyDerivation.SrtcpEncryptionLabel : SrtpKeyDerivation.SrtpEncryptionLabel;
        var saltLabel = rtcp ? SrtpKeyDerivation.SrtcpSaltLabel : SrtpKeyDerivation.SrtpSaltLabel;
        Span<byte> key = stackalloc byte[SrtpProfileSizes.MasterKeyLength];
        Span<byte> salt = stackalloc byte[saltLength];
        SrtpKeyDerivation.Derive(masterKey, masterSalt, encryptionLabel, key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, saltLabel, salt);
        if (profile == SrtpProfile.AeadAes128Gcm)
        {
            return new AesGcmTransform(key, salt);
        }

        Span<byte> authentication = stackalloc byte[AesCmHmacSha1Transform.AuthenticationKeyLength];
        SrtpKeyDerivation.Derive(masterKey, masterSalt, rtcp ? SrtpKeyDerivation.SrtcpAuthenticationLabel : SrtpKeyDerivation.SrtpAuthenticationLabel, authentication);
        return new AesCmHmacSha1Transform(key, salt, authentication);
    }
}
