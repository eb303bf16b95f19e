using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Talko.Core.Media.WebRtc.Stun;

/// <summary>
/// Builds one STUN message into a caller's buffer: the header, then attributes in call order, each padded to 4
/// bytes; <see cref="AddMessageIntegrity"/> and <see cref="AddFingerprint"/> come last, in that order. A buffer
/// too small is a programming error (messages Talko builds have known sizes) and throws.
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> buffer;
    private int length;

    public StunMessageWriter(Span<byte> buffer, ushort method, StunClass messageClass, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != StunConstants.TransactionIdLength)
        {
            throw new ArgumentException("a transaction id is 12 bytes", nameof(transactionId));
        }

        this.buffer = buffer;
        Ensure(StunConstants.HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(buffer, StunMessageType.Encode(method, messageClass));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunConstants.MagicCookie);
        transactionId.CopyTo(buffer[8..]);
        length = StunConstants.HeaderLength;
    }

    public readonly int Length => length;

    public void AddXorMappedAddress(IPEndPoint endPoint)
    {
        var v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        var value = Begin(StunAttribute.XorMappedAddress, v6 ? 20 : 8);
        value[0] = 0;
        value[1] = (byte)(v6 ? 0x02 : 0x01);
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(endPoint.Port ^ (int)(StunConstants.MagicCookie >> 16)));
        endPoint.Address.TryWriteBytes(value[4..], out var written);
        for (var i = 0; i < written; i++)
        {
            value[4 + i] ^= buffer[4 + i];
        }

        End(value.Length);
    }

    public void AddUsername(string username)
    {
        var byteCount = Encoding.UTF8.GetByteCount(username);
        if (byteCount > StunConstants.MaxUsernameLength)
        {
            throw new ArgumentException("a USERNAME is fewer than 509 bytes", nameof(username));
        }

        var value = Begin(StunAttribute.Username, byteCount);
        Encoding.UTF8.GetBytes(username, value);
        End(byteCount);
    }

    public void AddPriority(uint priority) => AddUInt32(StunAttribute.Priority, priority);

    public void AddIceControlling(ulong tieBreaker) => AddUInt64(StunAttribute.IceControlling, tieBreaker);

    public void AddIceControlled(ulong tieBreaker) => AddUInt64(StunAttribute.IceControlled, tieBreaker);

    public void AddUseCandidate()
    {
        Begin(StunAttribute.UseCandidate, 0);
        End(0);
    }

    /// <summary>ERROR-CODE (RFC 8489 section 14.8): class and number, then a short UTF-8 reason.</summary>
    public void AddErrorCode(int code, string reason)
    {
        if (code is < 300 or > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code));
        }

        var reasonLength = Encoding.UTF8.GetByteCount(reason);
        var value = Begin(StunAttribute.ErrorCode, 4 + reasonLength);
        value[0] = 0;
        value[1] = 0;
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, value[4..]);
        End(value.Length);
    }

    /// <summary>UNKNOWN-ATTRIBUTES (section 14.9): the types a 420 answer names.</summary>
    public void AddUnknownAttributes(ReadOnlySpan<ushort> types)
    {
        var value = Begin(StunAttribute.UnknownAttributes, 2 * types.Length);
        for (var i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value[(2 * i)..], types[i]);
        }

        End(value.Length);
    }

    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        var offset = length;
        var value = Begin(StunAttribute.MessageIntegrity, StunIntegrity.Length);
        StunIntegrity.Compute(buffer[..(offset + 4 + StunIntegrity.Length)], offset, key, value);
        End(StunIntegrity.Length);
    }

    public void AddFingerprint()
    {
        var offset = length;
        var value = Begin(StunAttribute.Fingerprint, 4);
        SetLengthField(offset + 8);
        BinaryPrimitives.WriteUInt32BigEndian(value, Crc32.Append(0, buffer[..offset]) ^ StunConstants.FingerprintXor);
        End(4);
    }

    private void AddUInt32(ushort type, uint number)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Begin(type, 4), number);
        End(4);
    }

    private void AddUInt64(ushort type, ulong number)
    {
        BinaryPrimitives.WriteUInt64BigEndian(Begin(type, 8), number);
        End(8);
    }

    /// <summary>Writes the attribute header and returns the value's span (unpadded).</summary>
    private Span<byte> Begin(ushort type, int valueLength)
    {
        var padded = (valueLength + 3) & ~3;
        Ensure(length + 4 + padded);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[length..], type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(length + 2)..], (ushort)valueLength);
        buffer.Slice(length + 4, padded).Clear();
        return buffer.Slice(length + 4, valueLength);
    }

    private void End(int valueLength)
    {
        length += 4 + ((valueLength + 3) & ~3);
        SetLengthField(length);
    }

    private readonly void SetLengthField(int messageLength) =>
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)(messageLength - StunConstants.HeaderLength));

    private readonly void Ensure(int needed)
    {
        if (needed > buffer.Length)
        {
            throw new ArgumentException($"the STUN message needs {needed} bytes; the buffer has {buffer.Length}");
        }
    }
}
