namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// Builds a Huffman table fitted to symbol frequencies, per the procedure of T.81 annex K.2: code sizes
/// from repeatedly merging the two rarest symbols, a reserved extra symbol so no code is all ones, and
/// lengths above 16 bits folded back down (figure K.3).
/// </summary>
internal static class HuffmanCodeBuilder
{
    /// <summary>The BITS (16 counts) and HUFFVAL lists of a DHT segment for these frequencies (index = symbol).</summary>
    public static (byte[] Counts, byte[] Symbols) Build(ReadOnlySpan<long> frequencies)
    {
        var freq = new long[257];
        frequencies.CopyTo(freq);
        freq[256] = 1;
        var codeSize = new int[257];
        var others = new int[257];
        Array.Fill(others, -1);
        while (true)
        {
            int v1 = -1, v2 = -1;
            for (var i = 0; i < 257; i++)
            {
                // The rarest, preferring the larger symbol on ties (K.2 figure K.1).
                if (freq[i] > 0 && (v1 < 0 || freq[i] <= freq[v1]))
                {
                    v1 = i;
                }
            }

            for (var i = 0; i < 257; i++)
            {
                if (i != v1 && freq[i] > 0 && (v2 < 0 || freq[i] <= freq[v2]))
                {
                    v2 = i;
                }
            }

            if (v2 < 0)
            {
                break;
            }

            freq[v1] += freq[v2];
            freq[v2] = 0;
            var tail = v1;
            codeSize[tail]++;
            while (others[tail] >= 0)
            {
                tail = others[tail];
                codeSize[tail]++;
            }

            others[tail] = v2;
            for (var next = v2; next >= 0; next = others[next])
            {
                codeSize[next]++;
            }
        }

        var bits = new int[33];
        for (var i = 0; i < 257; i++)
        {
            if (codeSize[i] > 0)
            {
                bits[codeSize[i]]++;
            }
        }

        for (var i = 32; i > 16; i--)
        {
            while (bits[i] > 0)
            {
                var j = i - 2;
                while (bits[j] == 0)
                {
                    j--;
                }

                bits[i] -= 2;
                bits[i - 1]++;
                bits[j + 1] += 2;
                bits[j]--;
            }
        }

        // Drop the reserved symbol: it has one of the longest codes.
        var longest = 16;
        while (bits[longest] == 0)
        {
            longest--;
        }

        bits[longest]--;

        // HUFFVAL: symbols by code size, then by value (K.2 figure K.4); the reserved one is left out.
        var symbols = Enumerable.Range(0, 256).Where(s => codeSize[s] > 0).OrderBy(s => codeSize[s]).ThenBy(s => s).Select(s => (byte)s).ToArray();
        var counts = new byte[16];
        for (var i = 1; i <= 16; i++)
        {
            counts[i - 1] = (byte)bits[i];
        }

        return (counts, symbols);
    }

    /// <summary>Code and length per symbol, assigned as in annex C.</summary>
    public static (ushort[] Codes, byte[] Lengths) Codes(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols)
    {
        var codes = new ushort[256];
        var lengths = new byte[256];
        int code = 0, k = 0;
        for (var length = 1; length <= 16; length++)
        {
            for (var i = 0; i < counts[length - 1]; i++, k++, code++)
            {
                codes[symbols[k]] = (ushort)code;
                lengths[symbols[k]] = (byte)length;
            }

            code <<= 1;
        }

        return (codes, lengths);
    }
}
