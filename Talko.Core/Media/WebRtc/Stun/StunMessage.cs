using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Talko.Core.Media.WebRtc.Stun;

/// <summary>
/// A validated STUN message (RFC 8489) read in place: the header, and where the attributes Talko uses sit. Parsing
/// checks every length and the FINGERPRINT; MESSAGE-INTEGRITY is checked on demand, since only the caller knows the
/// key. Only the first occurrence of an attribute counts (section 14); attributes after MESSAGE-INTEGRITY other than
/// FINGERPRINT are ignored (section 14.5). Never throws on any input.
/// </summary>
public readonly ref struct StunMessage
{
    private const int IntegrityLength = 20;
    private const int MaxUnknown = 4;

    private readonly int usernameOffset;
    private readonly int usernameLength;
    private readonly int integrityOffset;
    private readonly int xorMappedOffset;
    private readonly int xorMappedLength;
    private readonly ulong unknownTypes;

    private StunMessage(ReadOnlySpan<byte> bytes, Fields fields)
    {
        Bytes = bytes;
        var type = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        Method = StunMessageType.Method(type);
        Class = StunMessageType.Class(type);
        usernameOffset = fields.UsernameOffset;
        usernameLength = fields.UsernameLength;
        integrityOffset = fields.IntegrityOffset;
        xorMappedOffset = fields.XorMappedOffset;
        xorMappedLength = fields.XorMappedLength;
        HasFingerprint = fields.HasFingerprint;
        Priority = fields.Priority;
        IceControlling = fields.IceControlling;
        IceControlled = fields.IceControlled;
        UseCandidate = fields.UseCandidate;
        ErrorCode = fields.ErrorCode;
        unknownTypes = fields.UnknownTypes;
        UnknownCount = fields.UnknownCount;
    }

    /// <summary>The whole message, header included.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public ushort Method { get; }
    public StunClass Class { get; }
    public ReadOnlySpan<byte> TransactionId => Bytes.Slice(8, StunConstants.TransactionIdLength);
    public bool IsBindingRequest => Method == StunConstants.BindingMethod && Class == StunClass.Request;

    /// <summary>USERNAME as UTF-8 bytes; empty when absent (<see cref="HasUsername"/>).</summary>
    public ReadOnlySpan<byte> Username => usernameOffset < 0 ? default : Bytes.Slice(usernameOffset, usernameLength);
    public bool HasUsername => usernameOffset >= 0;
    public bool HasMessageIntegrity => integrityOffset >= 0;
    public bool HasFingerprint { get; }
    public uint? Priority { get; }
    public ulong? IceControlling { get; }
    public ulong? IceControlled { get; }
    public bool UseCandidate { get; }

    /// <summary>ERROR-CODE's number (300-699) when present.</summary>
    public int? ErrorCode { get; }

    /// <summary>How many comprehension-required attributes Talko does not understand (at most 4 are kept).</summary>
    public int UnknownCount { get; }

    public ushort UnknownType(int index) => index < 0 || index >= Math.Min(UnknownCount, MaxUnknown)
        ? throw new ArgumentOutOfRangeException(nameof(index))
        : (ushort)(unknownTypes >> (16 * index));

    /// <summary>
    /// Whether MESSAGE-INTEGRITY is the HMAC-SHA1 (keyed with the short-term password) of the message up to it, with
    /// the length field as if MESSAGE-INTEGRITY ended the message (RFC 8489 section 14.5). False when absent.
    /// </summary>
    public bool VerifyIntegrity(ReadOnlySpan<byte> key)
    {
        if (integrityOffset < 0)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[IntegrityLength];
        StunIntegrity.Compute(Bytes, integrityOffset, key, expected);
        return CryptographicOperations.FixedTimeEquals(expected, Bytes.Slice(integrityOffset + 4, IntegrityLength));
    }

    /// <summary>XOR-MAPPED-ADDRESS decoded (RFC 8489 section 14.2), or false when absent.</summary>
    public bool TryGetXorMappedAddress(out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (xorMappedOffset < 0)
        {
            return false;
        }

        var value = Bytes.Slice(xorMappedOffset, xorMappedLength);
        var port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (StunConstants.MagicCookie >> 16));
        Span<byte> address = stackalloc byte[xorMappedLength - 4];
        value[4..].CopyTo(address);
        for (var i = 0; i < address.Length; i++)
        {
            address[i] ^= Bytes[4 + i]; // the cookie, then (IPv6) the transaction id: header bytes 4..19
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    public static StunParseResult TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (datagram.Length < StunConstants.HeaderLength)
        {
            return StunParseResult.TooShort;
        }

        if (datagram.Length > StunConstants.MaxMessageLength)
        {
            return StunParseResult.TooLong;
        }

        if ((datagram[0] & 0xC0) != 0 || BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunConstants.MagicCookie)
        {
            return StunParseResult.NotStun;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (length % 4 != 0 || length != datagram.Length - StunConstants.HeaderLength)
        {
            return StunParseResult.BadLength;
        }

        var fields = new Fields();
        var offset = StunConstants.HeaderLength;
        var afterIntegrity = false;
        while (offset < datagram.Length)
        {
            if (fields.HasFingerprint)
            {
                return StunParseResult.FingerprintNotLast;
            }

            if (datagram.Length - offset < 4)
            {
                return StunParseResult.AttributeTruncated;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            var valueOffset = offset + 4;
            var padded = (valueLength + 3) & ~3;
            if (padded > datagram.Length - valueOffset)
            {
                return StunParseResult.AttributeTruncated;
            }

            var value = datagram.Slice(valueOffset, valueLength);
            if (type == StunAttribute.Fingerprint)
            {
                if (valueLength != 4)
                {
                    return StunParseResult.BadAttribute;
                }

                if (valueOffset + padded != datagram.Length)
                {
                    return StunParseResult.FingerprintNotLast;
                }

                if (!FingerprintMatches(datagram, offset))
                {
                    return StunParseResult.BadFingerprint;
                }

                fields.HasFingerprint = true;
            }
            else if (!afterIntegrity && !fields.Read(type, value, valueOffset, offset))
            {
                return StunParseResult.BadAttribute;
            }

            afterIntegrity |= type == StunAttribute.MessageIntegrity;
            offset = valueOffset + padded;
        }

        message = new StunMessage(datagram, fields);
        return StunParseResult.Ok;
    }

    private static bool FingerprintMatches(ReadOnlySpan<byte> datagram, int fingerprintOffset)
    {
        var crc = Crc32.Append(0, datagram[..fingerprintOffset]) ^ StunConstants.FingerprintXor;
        return crc == BinaryPrimitives.ReadUInt32BigEndian(datagram[(fingerprintOffset + 4)..]);
    }

    /// <summary>What the attribute walk found; a mutable struct so the walk stays allocation-free.</summary>
    private struct Fields
    {
        public int UsernameOffset = -1;
        public int UsernameLength;
        public int IntegrityOffset = -1;
        public int XorMappedOffset = -1;
        public int XorMappedLength;
        public bool HasFingerprint;
        public uint? Priority;
        public ulong? IceControlling;
        public ulong? IceControlled;
        public bool UseCandidate;
        public int? ErrorCode;
        public ulong UnknownTypes;
        public int UnknownCount;

        public Fields()
        {
        }

        /// <summary>Takes one attribute; false when a known attribute's value is malformed.</summary>
        public bool Read(ushort type, ReadOnlySpan<byte> value, int valueOffset, int attributeOffset)
        {
            switch (type)
            {
                case StunAttribute.Username:
                    if (value.Length > StunConstants.MaxUsernameLength)
                    {
                        return false;
                    }

                    if (UsernameOffset < 0)
                    {
                        UsernameOffset = valueOffset;
                        UsernameLength = value.Length;
                    }

                    return true;
                case StunAttribute.MessageIntegrity:
                    if (value.Length != IntegrityLength)
                    {
                        return false;
                    }

                    IntegrityOffset = attributeOffset;
                    return true;
                case StunAttribute.XorMappedAddress:
                    if (!(value.Length == 8 && value[1] == 0x01) && !(value.Length == 20 && value[1] == 0x02))
                    {
                        return false;
                    }

                    if (XorMappedOffset < 0)
                    {
                        XorMappedOffset = valueOffset;
                        XorMappedLength = value.Length;
                    }

                    return true;
                case StunAttribute.Priority:
                    if (value.Length != 4)
                    {
                        return false;
                    }

                    Priority ??= BinaryPrimitives.ReadUInt32BigEndian(value);
                    return true;
                case StunAttribute.IceControlling:
                    if (value.Length != 8)
                    {
                        return false;
                    }

                    IceControlling ??= BinaryPrimitives.ReadUInt64BigEndian(value);
                    return true;
                case StunAttribute.IceControlled:
                    if (value.Length != 8)
                    {
                        return false;
                    }

                    IceControlled ??= BinaryPrimitives.ReadUInt64BigEndian(value);
                    return true;
                case StunAttribute.UseCandidate:
                    if (value.Length != 0)
                    {
                        return false;
                    }

                    UseCandidate = true;
                    return true;
                case StunAttribute.ErrorCode:
                    if (value.Length < 4 || value[2] is < 3 or > 6 || value[3] > 99)
                    {
                        return false;
                    }

                    ErrorCode ??= (value[2] * 100) + value[3];
                    return true;
                default:
                    if (StunAttribute.IsComprehensionRequired(type) && !StunAttribute.IsUnderstood(type))
                    {
                        if (UnknownCount < MaxUnknown)
                        {
                            UnknownTypes |= (ulong)type << (16 * UnknownCount);
                        }

                        UnknownCount++;
                    }

                    return true;
            }
        }
    }
}
