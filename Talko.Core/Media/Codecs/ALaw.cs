namespace Talko.Core.Media.Codecs;

/// <summary>
/// G.711 A-law (ITU-T Rec. G.711, table 1a): 16-bit linear PCM scaled from the 13-bit range the
/// recommendation defines. Encoding uses a 64 KiB table built once from the segment formula.
/// </summary>
public static class ALaw
{
    // G.711 inverts the even bits of every A-law code; the sign bit is 1 for positive values.
    private const int EvenBits = 0x55;
    private const int PositiveMask = 0xD5;

    private static readonly short[] DecodeTable = BuildDecodeTable();
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    public static byte Encode(short sample) => EncodeTable[(ushort)sample];

    public static short Decode(byte code) => DecodeTable[code];

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
        int value = sample;
        int mask;
        if (value >= 0)
        {
            mask = PositiveMask;
        }
        else
        {
            mask = EvenBits;
            value = -value - 1;
        }

        var magnitude = value >> 3; // the 13-bit magnitude G.711 quantises
        int code;
        if (magnitude < 32)
        {
            code = magnitude >> 1;
        }
        else
        {
            // Segment s (1..7) covers [2^(s+4), 2^(s+5)); its 16 steps are 2^s wide.
            var segment = 1;
            while ((magnitude >> (segment + 5)) != 0)
            {
                segment++;
            }

            code = (segment << 4) | ((magnitude >> segment) & 0x0F);
        }

        return (byte)(code ^ mask);
    }

    internal static short DecodeByFormula(byte code)
    {
        var value = code ^ EvenBits;
        var segment = (value & 0x70) >> 4;

        // Reconstruct at the middle of the quantisation step, scaled back up to 16 bits.
        var magnitude = ((value & 0x0F) << 4) + 8;
        if (segment != 0)
        {
            magnitude = (magnitude + 0x100) << (segment - 1);
        }

        return (short)((value & 0x80) != 0 ? magnitude : -magnitude);
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
