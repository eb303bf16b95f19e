using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Rtp;

/// <summary>RFC 6464 audio levels in RFC 8285 one-byte header extensions, including blocks a sender got wrong.</summary>
public class RtpAudioLevelTests
{
    [Fact]
    public void LevelAndVoiceBitAreRead()
    {
        var packet = Packet(extension: [0xBE, 0xDE, 0x00, 0x01, 0x10, 0x80 | 42, 0x00, 0x00]);

        Assert.True(RtpAudioLevel.TryRead(packet, Parse(packet), extensionId: 1, out var level));
        Assert.Equal(42, level.Level);
        Assert.True(level.Voice);
        Assert.Equal(-42, level.Dbov);
    }

    [Fact]
    public void LevelIsFoundAfterPaddingAndOtherElements()
    {
        // Padding byte, then element id 3 with two data bytes, then the level as id 5, with CSRCs before the extension.
        var packet = Packet(extension: [0xBE, 0xDE, 0x00, 0x02, 0x00, 0x31, 0xAA, 0xBB, 0x50, 0x7F, 0x00, 0x00], csrcs: 2);

        Assert.True(RtpAudioLevel.TryRead(packet, Parse(packet), extensionId: 5, out var level));
        Assert.Equal(RtpAudioLevel.Silence, level.Level);
        Assert.False(level.Voice);
    }

    [Fact]
    public void OtherIdsAndAbsentExtensionsGiveNoLevel()
    {
        var withExtension = Packet(extension: [0xBE, 0xDE, 0x00, 0x01, 0x10, 0x20, 0x00, 0x00]);
        var without = Packet(extension: null);

        Assert.False(RtpAudioLevel.TryRead(withExtension, Parse(withExtension), extensionId: 2, out _));
        Assert.False(RtpAudioLevel.TryRead(without, Parse(without), extensionId: 1, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x1F, 0x10, 0x00, 0x00 })] // id 1 says 16 data bytes in a 4-byte block
    [InlineData(new byte[] { 0x00, 0x00, 0x23, 0x10 })] // an element whose length runs past the block hides a level
    [InlineData(new byte[] { 0x11, 0x10, 0x20, 0x00 })] // the level element with two data bytes instead of one
    [InlineData(new byte[] { 0xF0, 0x10, 0x20, 0x00 })] // id 15: the rest is ignored, so the level after it is not read
    public void MalformedElementsAreNotTrusted(byte[] elements)
    {
        Assert.False(RtpAudioLevel.TryReadOneByteElements(elements, extensionId: 1, out _));
    }

    [Fact]
    public void TwoByteFormAndBadIdsAreIgnored()
    {
        var twoByte = Packet(extension: [0x10, 0x00, 0x00, 0x01, 0x01, 0x01, 0x20, 0x00]);

        Assert.False(RtpAudioLevel.TryRead(twoByte, Parse(twoByte), extensionId: 1, out _));
        var oneByte = Packet(extension: [0xBE, 0xDE, 0x00, 0x01, 0x10, 0x20, 0x00, 0x00]);
        Assert.False(RtpAudioLevel.TryRead(oneByte, Parse(oneByte), extensionId: 0, out _));
        Assert.False(RtpAudioLevel.TryRead(oneByte, Parse(oneByte), extensionId: 15, out _));
    }

    [Fact]
    public void ExtensionLongerThanThePacketIsRefusedByTheParser()
    {
        // The header claims 8 words of extension; only one is there.
        var packet = Packet(extension: [0xBE, 0xDE, 0x00, 0x08, 0x10, 0x20, 0x00, 0x00]);

        Assert.Equal(RtpParseResult.ExtensionTruncated, RtpPacket.TryParse(packet, out _));
    }

    private static RtpHeader Parse(byte[] packet)
    {
        Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(packet, out var header));
        return header;
    }

    private static byte[] Packet(byte[]? extension, int csrcs = 0)
    {
        var packet = new List<byte> { (byte)(0x80 | (extension is null ? 0 : 0x10) | csrcs), 111, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4 };
        for (var i = 0; i < csrcs * 4; i++)
        {
            packet.Add((byte)i);
        }

        if (extension is not null)
        {
            packet.AddRange(extension);
        }

        packet.AddRange([0xF8, 0xFF, 0xFE]);
        return [.. packet];
    }
}
