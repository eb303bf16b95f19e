using Talko.Core.Media;
using Talko.Core.Media.Codecs;

namespace Talko.Tests.Core.Media.Codecs;

public class G711Tests
{
    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0x7F)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(1000, 0xCE)]
    public void MuLawEncodesKnownValues(short sample, byte expected) => Assert.Equal(expected, MuLaw.Encode(sample));

    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    [InlineData(0xF0, 120)] // segment 0: 14-bit value 30 scaled by 4
    [InlineData(0xEF, 132)]
    public void MuLawDecodesKnownValues(byte code, short expected) => Assert.Equal(expected, MuLaw.Decode(code));

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    public void ALawEncodesKnownValues(short sample, byte expected) => Assert.Equal(expected, ALaw.Encode(sample));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xD4, 24)]
    public void ALawDecodesKnownValues(byte code, short expected) => Assert.Equal(expected, ALaw.Decode(code));

    [Fact]
    public void EveryALawCodeSurvivesDecodeThenEncode()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, ALaw.Encode(ALaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void EveryMuLawCodeSurvivesDecodeThenEncodeExceptNegativeZero()
    {
        for (var code = 0; code < 256; code++)
        {
            var expected = code == 0x7F ? (byte)0xFF : (byte)code; // -0 and +0 both decode to 0
            Assert.Equal(expected, MuLaw.Encode(MuLaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void QuantisationErrorStaysWithinHalfAStepOfEachSegment()
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            var s = (short)sample;
            var magnitude = Math.Abs(sample);

            // Steps double per segment; the largest is 1024 (mu-law) and 1024 (A-law) in 16-bit units, plus clipping at the top.
            var muError = Math.Abs(MuLaw.Decode(MuLaw.Encode(s)) - sample);
            var aError = Math.Abs(ALaw.Decode(ALaw.Encode(s)) - sample);
            Assert.True(muError <= Math.Max(8, (magnitude / 16) + 8) || magnitude > 32000, $"mu-law error {muError} at {sample}");
            Assert.True(aError <= Math.Max(16, (magnitude / 16) + 16) || magnitude > 32000, $"A-law error {aError} at {sample}");
            Assert.True(muError <= 1024 && aError <= 1024);
        }
    }

    [Fact]
    public void DecodedValuesRiseWithTheCodeWithinEachSign()
    {
        // mu-law: codes 0x80..0xFF decode to positive values that fall as the code rises (bits are inverted).
        for (var code = 0x80; code < 0xFF; code++)
        {
            Assert.True(MuLaw.Decode((byte)code) > MuLaw.Decode((byte)(code + 1)));
        }

        var previous = short.MinValue;
        for (int sample = short.MinValue; sample <= short.MaxValue; sample += 7)
        {
            var decoded = ALaw.Decode(ALaw.Encode((short)sample));
            Assert.True(decoded >= previous);
            previous = decoded;
        }
    }

    [Theory]
    [InlineData(AudioCodec.Pcmu)]
    [InlineData(AudioCodec.Pcma)]
    public void SpanCodingMatchesSampleCoding(AudioCodec codec)
    {
        var pcm = new short[160];
        AudioSignals.Tone(pcm, 440, 12000, 0);
        var encoded = new byte[160];
        var decoded = new short[160];
        G711.Encode(codec, pcm, encoded);
        G711.Decode(codec, encoded, decoded);
        for (var i = 0; i < pcm.Length; i++)
        {
            var single = codec == AudioCodec.Pcma ? ALaw.Encode(pcm[i]) : MuLaw.Encode(pcm[i]);
            Assert.Equal(single, encoded[i]);
            Assert.InRange(decoded[i] - pcm[i], -400, 400);
        }

        Assert.Throws<ArgumentException>(() => G711.Encode(codec, pcm, new byte[10]));
    }
}
