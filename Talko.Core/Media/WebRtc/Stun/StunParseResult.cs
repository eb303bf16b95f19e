namespace Talko.Core.Media.WebRtc.Stun;

/// <summary>Why a datagram was or was not accepted as a STUN message.</summary>
public enum StunParseResult
{
    Ok,
    TooShort,
    TooLong,

    /// <summary>The two leading bits are not zero, or the magic cookie is missing: not STUN (RFC 8489 section 6).</summary>
    NotStun,

    /// <summary>The length field is not a multiple of 4 or does not match the datagram.</summary>
    BadLength,

    /// <summary>An attribute runs past the message end.</summary>
    AttributeTruncated,

    /// <summary>A known attribute with a value of the wrong size or content.</summary>
    BadAttribute,

    /// <summary>An attribute after FINGERPRINT, which must be last.</summary>
    FingerprintNotLast,

    /// <summary>FINGERPRINT present but not the CRC-32 of the message.</summary>
    BadFingerprint,
}
