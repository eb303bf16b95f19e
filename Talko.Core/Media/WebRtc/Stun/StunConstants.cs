namespace Talko.Core.Media.WebRtc.Stun;

/// <summary>Numbers from RFC 8489 (STUN) and RFC 8445 section 16.1 (the ICE attributes).</summary>
public static class StunConstants
{
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    public const uint MagicCookie = 0x2112A442;

    /// <summary>CRC-32 of the message XORed with this ("STUN") is the FINGERPRINT (RFC 8489 section 14.7).</summary>
    public const uint FingerprintXor = 0x5354554E;

    /// <summary>A message larger than any datagram Talko takes is refused before it is parsed.</summary>
    public const int MaxMessageLength = 1500;

    /// <summary>RFC 8489 section 14.3: a USERNAME is fewer than 509 bytes.</summary>
    public const int MaxUsernameLength = 508;

    public const ushort BindingMethod = 0x001;
}

/// <summary>The four STUN message classes (RFC 8489 section 5), as the two class bits.</summary>
public enum StunClass
{
    Request = 0b00,
    Indication = 0b01,
    SuccessResponse = 0b10,
    ErrorResponse = 0b11,
}

/// <summary>Attribute types Talko reads or writes. 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF optional.</summary>
public static class StunAttribute
{
    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort MessageIntegritySha256 = 0x001C;
    public const ushort PasswordAlgorithm = 0x001D;
    public const ushort Userhash = 0x001E;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort PasswordAlgorithms = 0x8002;
    public const ushort AlternateDomain = 0x8003;
    public const ushort Software = 0x8022;
    public const ushort AlternateServer = 0x8023;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;

    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;

    /// <summary>The comprehension-required attributes a Binding request may carry that Talko understands or may ignore.</summary>
    public static bool IsUnderstood(ushort type) => type is MappedAddress or Username or MessageIntegrity or ErrorCode
        or UnknownAttributes or Realm or Nonce or MessageIntegritySha256 or PasswordAlgorithm or Userhash or XorMappedAddress
        or Priority or UseCandidate;
}
