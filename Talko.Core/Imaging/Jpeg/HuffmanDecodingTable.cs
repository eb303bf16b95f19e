namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// A Huffman table from a DHT segment (T.81 B.2.4.2), decoded per annex C and F.2.2.3: a direct lookup
/// for codes up to <see cref="LookupBits"/> bits, and the MAXCODE/VALPTR procedure for longer ones.
/// </summary>
internal sealed class HuffmanDecodingTable
{
    private const int LookupBits = 9;

    /// <summary>Code length in the high byte, value in the low byte; 0 where no short code starts.</summary>
    private readonly ushort[] lookup = new ushort[1 << LookupBits];
    private readonly int[] maxCode = new int[18];
    private readonly int[] valueOffset = new int[17];
    private readonly byte[] values;

    public HuffmanDecodingTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols)
    {
        values = symbols.ToArray();
        var code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            valueOffset[length] = k - code;
            for (var i = 0; i < counts[length - 1]; i++, k++, code++)
            {
                if (code >= 1 << length)
                {
                    throw new ImageDecodingException("A JPEG Huffman table has more codes than fit their lengths.");
                }

                if (length <= LookupBits)
                {
                    var shift = LookupBits - length;
                    for (var fill = 0; fill < 1 << shift; fill++)
                    {
                        lookup[(code << shift) | fill] = (ushort)((length << 8) | values[k]);
                    }
                }
            }

            maxCode[length] = counts[length - 1] == 0 ? -1 : code - 1;
            code <<= 1;
        }

        maxCode[17] = int.MaxValue;
    }

    public byte Decode(JpegInput input)
    {
        var entry = lookup[input.PeekBits(LookupBits)];
        if (entry != 0)
        {
            input.SkipBits(entry >> 8);
            return (byte)entry;
        }

        var peek = input.PeekBits(16);
        for (var length = LookupBits + 1; length <= 16; length++)
        {
            var code = peek >> (16 - length);
            if (code <= maxCode[length])
            {
                input.SkipBits(length);
                var index = valueOffset[length] + code;
                return (uint)index < (uint)values.Length ? values[index] : throw new ImageDecodingException("The JPEG image has an invalid Huffman code.");
            }
        }

        throw new ImageDecodingException("The JPEG image has an invalid Huffman code.");
    }
}
