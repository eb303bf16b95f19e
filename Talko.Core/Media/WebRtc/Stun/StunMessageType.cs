namespace Talko.Core.Media.WebRtc.Stun;

/// <summary>The 14-bit message type of RFC 8489 section 5: the method's 12 bits with the two class bits woven in at bits 4 and 8.</summary>
public static class StunMessageType
{
    public static ushort Encode(ushort method, StunClass messageClass)
    {
        var c = (int)messageClass;
        return (ushort)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
    }

    public static ushort Method(ushort type) => (ushort)((type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80));

    public static StunClass Class(ushort type) => (StunClass)(((type >> 4) & 1) | ((type >> 7) & 2));
}
