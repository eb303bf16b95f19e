namespace Talko.Core.Media.Codecs;

/// <summary>
/// G.711 mu-law (ITU-T Rec. G.711, table 2a): 16-bit linear PCM scaled from the 14-bit range the
/// recommendation defines. Encoding uses a 64 KiB table built once from the segment formula.
/// </summary>
public static class MuLaw
{
    // The bias shifts every magnitude up so that each segment starts on a power of two (G.711 section 3).
    private const int Bias = 0x84;
    private const int Clip = 32635;

    private static readonly short[] DecodeTable = BuildDecodeTable();
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    public static byte Encode(short sample) => EncodeTable[(ushort)sample];

    public static short Decode(byte code) => DecodeTable[code];

    /// <summary>Encodes <paramref name="pcm"/> into <paramref name="encoded"/>, one byte per sample.</summary>
    public static void Encode(ReadOnlySpan<short> pcm, Span<byte> encoded)
    {
        if (encoded.Length < pcm.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(encoded));
        }

        var table = EncodeTable;
        for (var i = 0; i < pcm.Length; i++)
        {
            encoded[i] = table[(ushort)pcm[i]];
        }
    }

    public static void Decode(ReadOnlySpan<byte> encoded, Span<short> pcm)
    {
        if (pcm.Length < encoded.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(pcm));
        }

        var table = DecodeTable;
        for (var i = 0; i < encoded.Length; i++)
        {
            pcm[i] = table[encoded[i]];
        }
    }

    internal static byte EncodeByFormula(short sample)
    {
        int magnitude = sample;
        var sign = 0;
        if (magnitude < 0)
        {
            sign = 0x80;
            magnitude = -magnitude;
        }

        magnitude = Math.Min(magnitude, Clip) + Bias;

        // Exponent e means the highest set bit is bit 7 + e.
        var exponent = 7;
        for (var mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }

        var mantissa = (magnitude >> (exponent + 3)) & 0x0F;

        // G.711 transmits mu-law codes with all bits inverted.
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    internal static short DecodeByFormula(byte code)
    {
        var inverted = ~code & 0xFF;
        var magnitude = (((inverted & 0x0F) << 3) + Bias) << ((inverted & 0x70) >> 4);
        return (short)((inverted & 0x80) != 0 ? Bias - magnitude : magnitude - Bias);
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            table[code] = DecodeByFormula((byte)code);
        }

        return table;
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[65536];
        for (var sample = short.MinValue; ; sample++)
        {
            table[(ushort)sample] = EncodeByFormula(sample);
            if (sample == short.MaxValue)
            {
                break;
            }
        }

        return table;
    }
}
