namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// The SRTP protection profiles Talko speaks. The values are the DTLS-SRTP profile identifiers
/// (RFC 5764 section 4.1.2 and RFC 7714 section 14.2), so a negotiated profile maps straight onto this enum.
/// </summary>
public enum SrtpProfile
{
    /// <summary>AES-128 counter mode with an 80-bit HMAC-SHA1 tag (RFC 3711); the profile every WebRTC peer offers.</summary>
    AesCm128HmacSha1_80 = 0x0001,

    /// <summary>AES-128 in Galois/counter mode with a 16-byte tag (RFC 7714); offered by current browsers.</summary>
    AeadAes128Gcm = 0x0007,
}

/// <summary>Key, salt and overhead sizes of each profile.</summary>
public static class SrtpProfileSizes
{
    public const int MasterKeyLength = 16;

    /// <summary>AES-CM uses a 112-bit master salt (RFC 3711 section 8.2); AEAD_AES_128_GCM a 96-bit one (RFC 7714 section 12).</summary>
    public static int MasterSaltLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_80 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not an SRTP profile Talko speaks"),
    };

    /// <summary>Bytes that protecting an RTP packet adds: the 80-bit HMAC tag or the 16-byte GCM tag.</summary>
    public static int RtpOverhead(this SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 16 : 10;

    /// <summary>Bytes that protecting an RTCP packet adds: the tag plus the 4-byte E flag and SRTCP index.</summary>
    public static int RtcpOverhead(this SrtpProfile profile) => profile.RtpOverhead() + 4;

    /// <summary>Whether the profile's DTLS-SRTP identifier (RFC 5764 section 4.1.2) is one Talko speaks.</summary>
    public static bool IsSupported(int dtlsProfileId) =>
        dtlsProfileId is (int)SrtpProfile.AesCm128HmacSha1_80 or (int)SrtpProfile.AeadAes128Gcm;
}
