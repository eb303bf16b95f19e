using System.Security.Cryptography;
using System.Text;
using Talko.Core.Sip.Registrar;

namespace Talko.Tests.Core.Sip.Registrar;

/// <summary>The managed MD5 of SIP digest gives the RFC 1321 results and the platform's, across every padding case.</summary>
public sealed class Md5Tests
{
    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    public void The_RFC_1321_test_suite_hashes_as_published(string text, string expectedHex)
    {
        Span<byte> hash = stackalloc byte[Md5.HashSizeInBytes];
        Md5.HashData(Encoding.ASCII.GetBytes(text), hash);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Every_length_up_to_three_blocks_and_beyond_matches_the_platform()
    {
        // Lengths around 55/56 and 64 change how the length field is padded in; 300 covers several whole blocks.
        var random = new Random(20261208);
        Span<byte> ours = stackalloc byte[Md5.HashSizeInBytes];
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Md5.HashData(data, ours);
            Assert.True(ours.SequenceEqual(MD5.HashData(data)), $"length {length} differs from the platform's MD5");
        }
    }

    [Fact]
    public void A_destination_too_short_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Md5.HashData("abc"u8, new byte[15]));
        Assert.Equal("destination", error.ParamName);
    }
}
