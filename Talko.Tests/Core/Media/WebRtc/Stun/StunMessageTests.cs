using System.Buffers.Binary;
using System.Net;
using System.Text;
using Talko.Core.Media.WebRtc.Stun;

namespace Talko.Tests.Core.Media.WebRtc.Stun;

/// <summary>The RFC 5769 sample messages, the writer's output read back, and malformed input refused with its reason.</summary>
public class StunMessageTests
{
    private static readonly byte[] Password = Encoding.ASCII.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");

    internal const string Rfc5769Request =
        "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36" +
        "000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";

    private const string Rfc5769Ipv4Response =
        "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000080001a147e112a643" +
        "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96";

    private const string Rfc5769Ipv6Response =
        "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
        "00080014a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c";

    [Fact]
    public void The_rfc5769_sample_request_parses_with_its_ice_attributes_and_integrity()
    {
        var bytes = Hex.Bytes(Rfc5769Request);
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(bytes, out var message));

        Assert.True(message.IsBindingRequest);
        Assert.Equal("b7e7a701bc34d686fa87dfae", Hex.Of(message.TransactionId));
        Assert.Equal("evtj:h6vY", Encoding.UTF8.GetString(message.Username));
        Assert.Equal(0x6e0001ffu, message.Priority);
        Assert.Equal(0x932ff9b151263b36UL, message.IceControlled);
        Assert.Null(message.IceControlling);
        Assert.False(message.UseCandidate);
        Assert.True(message.HasFingerprint);
        Assert.True(message.VerifyIntegrity(Password));
        Assert.False(message.VerifyIntegrity(Encoding.ASCII.GetBytes("VOkJxbRl1RmTxUk/WvJxBu")));
    }

    [Theory]
    [InlineData(Rfc5769Ipv4Response, "192.0.2.1")]
    [InlineData(Rfc5769Ipv6Response, "2001:db8:1234:5678:11:2233:4455:6677")]
    public void The_rfc5769_sample_responses_yield_their_mapped_address(string hex, string address)
    {
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(Hex.Bytes(hex), out var message));

        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.True(message.VerifyIntegrity(Password));
        Assert.True(message.TryGetXorMappedAddress(out var mapped));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), 32853), mapped);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("2001:db8:1234:5678:11:2233:4455:6677")]
    public void The_writer_reproduces_the_rfc5769_responses_byte_for_byte_but_for_padding(string address)
    {
        // RFC 5769 pads SOFTWARE with spaces; the writer pads with zeros, so compare after the SOFTWARE attribute.
        var expected = Hex.Bytes(address.Contains(':') ? Rfc5769Ipv6Response : Rfc5769Ipv4Response);
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunConstants.BindingMethod, StunClass.SuccessResponse, expected.AsSpan(8, 12));
        writer.AddXorMappedAddress(new IPEndPoint(IPAddress.Parse(address), 32853));
        var length = writer.Length;

        Assert.Equal(Hex.Of(expected.AsSpan(36, length - 20)), Hex.Of(buffer.AsSpan(20, length - 20)));
    }

    [Fact]
    public void A_written_request_reads_back_with_integrity_and_fingerprint()
    {
        var buffer = new byte[256];
        var transaction = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();
        var writer = new StunMessageWriter(buffer, StunConstants.BindingMethod, StunClass.Request, transaction);
        writer.AddUsername("abcd:wxyz");
        writer.AddPriority(1853817087);
        writer.AddIceControlling(0x0102030405060708);
        writer.AddUseCandidate();
        writer.AddMessageIntegrity(Password);
        writer.AddFingerprint();

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(buffer.AsSpan(0, writer.Length), out var message));
        Assert.True(message.IsBindingRequest);
        Assert.Equal("abcd:wxyz", Encoding.UTF8.GetString(message.Username));
        Assert.Equal(1853817087u, message.Priority);
        Assert.Equal(0x0102030405060708UL, message.IceControlling);
        Assert.True(message.UseCandidate);
        Assert.True(message.HasFingerprint);
        Assert.True(message.VerifyIntegrity(Password));
    }

    [Fact]
    public void Message_types_weave_the_class_bits_into_the_method()
    {
        Assert.Equal(0x0001, StunMessageType.Encode(StunConstants.BindingMethod, StunClass.Request));
        Assert.Equal(0x0011, StunMessageType.Encode(StunConstants.BindingMethod, StunClass.Indication));
        Assert.Equal(0x0101, StunMessageType.Encode(StunConstants.BindingMethod, StunClass.SuccessResponse));
        Assert.Equal(0x0111, StunMessageType.Encode(StunConstants.BindingMethod, StunClass.ErrorResponse));
        Assert.Equal(0x0ABC, StunMessageType.Method(StunMessageType.Encode(0x0ABC, StunClass.ErrorResponse)));
        Assert.Equal(StunClass.Indication, StunMessageType.Class(StunMessageType.Encode(0x0ABC, StunClass.Indication)));
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8));
    }

    [Fact]
    public void Malformed_messages_are_refused_with_their_reason()
    {
        var good = Hex.Bytes(Rfc5769Request);
        Assert.Equal(StunParseResult.TooShort, StunMessage.TryParse(good.AsSpan(0, 19), out _));
        Assert.Equal(StunParseResult.TooLong, StunMessage.TryParse(new byte[1600], out _));

        Assert.Equal(StunParseResult.NotStun, StunMessage.TryParse(With(good, 0, 0x40), out _));
        Assert.Equal(StunParseResult.NotStun, StunMessage.TryParse(With(good, 4, 0x22), out _));
        Assert.Equal(StunParseResult.BadLength, StunMessage.TryParse(good.AsSpan(0, good.Length - 4), out _));
        Assert.Equal(StunParseResult.BadLength, StunMessage.TryParse(With(good, 3, 0x59), out _));

        // SOFTWARE's length grown past the message end.
        Assert.Equal(StunParseResult.AttributeTruncated, StunMessage.TryParse(With(good, 23, 0xF0), out _));
        // PRIORITY (offset 40) with a 5-byte value: the known attribute's size is wrong (the walk still fits: 8 padded).
        Assert.Equal(StunParseResult.BadAttribute, StunMessage.TryParse(With(good, 43, 0x05), out _));
        // One flipped bit anywhere before the FINGERPRINT.
        Assert.Equal(StunParseResult.BadFingerprint, StunMessage.TryParse(With(good, 30, (byte)(good[30] ^ 1)), out _));

        var trailing = new byte[good.Length + 8];
        good.CopyTo(trailing, 0);
        BinaryPrimitives.WriteUInt16BigEndian(trailing.AsSpan(2), (ushort)(trailing.Length - 20));
        BinaryPrimitives.WriteUInt16BigEndian(trailing.AsSpan(good.Length), StunAttribute.Software);
        BinaryPrimitives.WriteUInt16BigEndian(trailing.AsSpan(good.Length + 2), 4);
        Assert.Equal(StunParseResult.FingerprintNotLast, StunMessage.TryParse(trailing, out _));
    }

    [Fact]
    public void Unknown_comprehension_required_attributes_are_listed_and_optional_ones_ignored()
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunConstants.BindingMethod, StunClass.Request, new byte[12]);
        writer.AddUsername("a:b");
        var length = writer.Length;
        foreach (var type in new ushort[] { 0x7001, 0x8123, 0x7002 })
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(length), type);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(length + 2), 0);
            length += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(length - 20));
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(buffer.AsSpan(0, length), out var message));
        Assert.Equal(2, message.UnknownCount);
        Assert.Equal(0x7001, message.UnknownType(0));
        Assert.Equal(0x7002, message.UnknownType(1));
    }

    [Fact]
    public void Attributes_after_message_integrity_other_than_fingerprint_are_ignored()
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunConstants.BindingMethod, StunClass.Request, new byte[12]);
        writer.AddUsername("a:b");
        writer.AddMessageIntegrity(Password);
        writer.AddUseCandidate(); // after MESSAGE-INTEGRITY: not covered by it, so it must not count
        writer.AddFingerprint();

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(buffer.AsSpan(0, writer.Length), out var message));
        Assert.False(message.UseCandidate);
        Assert.True(message.VerifyIntegrity(Password));
    }

    [Fact]
    public void Every_truncation_and_every_single_byte_change_of_a_valid_message_is_handled_without_throwing()
    {
        var good = Hex.Bytes(Rfc5769Request);
        for (var length = 0; length <= good.Length; length++)
        {
            StunMessage.TryParse(good.AsSpan(0, length), out _);
        }

        var fingerprintType = good.Length - 8;
        for (var position = 0; position < good.Length; position++)
        {
            for (var value = 0; value < 256; value += 17)
            {
                var changed = With(good, position, (byte)value);
                var unchanged = good[position] == value;
                if (StunMessage.TryParse(changed, out var message) == StunParseResult.Ok && message.VerifyIntegrity(Password))
                {
                    // Only an unchanged message passes, or one whose FINGERPRINT type was changed: FINGERPRINT is optional
                    // and an unknown optional attribute after MESSAGE-INTEGRITY is ignored, so MESSAGE-INTEGRITY still holds.
                    Assert.True(unchanged || position == fingerprintType || position == fingerprintType + 1, $"byte {position} = {value} accepted");
                    Assert.Equal(unchanged, message.HasFingerprint);
                }
                else
                {
                    Assert.False(unchanged, $"the unchanged message was refused at byte {position}");
                }
            }
        }
    }

    private static byte[] With(byte[] bytes, int position, byte value)
    {
        var copy = bytes.ToArray();
        copy[position] = value;
        return copy;
    }
}
