namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// Encodes an RGB image as a baseline JFIF JPEG (T.81 SOF0, T.871): YCbCr without chroma subsampling
/// (thumbnails are small, so the bytes saved by 4:2:0 matter less than colour edges), the annex K.1
/// quantisation tables scaled by quality, and Huffman tables fitted to the image (annex K.2).
/// </summary>
public static class JpegEncoder
{
    /// <summary>Annex K table K.1 (luminance), in natural order.</summary>
    private static readonly byte[] LuminanceBase =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    /// <summary>Annex K table K.2 (chrominance), in natural order.</summary>
    private static readonly byte[] ChrominanceBase =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    public static byte[] Encode(RgbImage image, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (image.Width > 65535 || image.Height > 65535)
        {
            throw new ArgumentException("A JPEG is at most 65535 pixels on a side.", nameof(image));
        }

        var luminance = Scale(LuminanceBase, quality);
        var chrominance = Scale(ChrominanceBase, quality);
        var blocks = Quantise(image, luminance, chrominance);

        // First pass: symbol statistics for DC/AC of luminance and chrominance; second pass writes them.
        var frequencies = new long[4][];
        for (var i = 0; i < 4; i++)
        {
            frequencies[i] = new long[256];
        }

        Code(blocks, (table, symbol, _, _) => frequencies[table][symbol]++);
        var tables = new (byte[] Counts, byte[] Symbols)[4];
        var codes = new (ushort[] Codes, byte[] Lengths)[4];
        for (var i = 0; i < 4; i++)
        {
            tables[i] = HuffmanCodeBuilder.Build(frequencies[i]);
            codes[i] = HuffmanCodeBuilder.Codes(tables[i].Counts, tables[i].Symbols);
        }

        using var output = new MemoryStream();
        output.Write([0xFF, 0xD8]);
        Segment(output, 0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        Segment(output, 0xDB, [0x00, .. ZigZagOrder(luminance), 0x01, .. ZigZagOrder(chrominance)]);
        Segment(output, 0xC0, [8, (byte)(image.Height >> 8), (byte)image.Height, (byte)(image.Width >> 8), (byte)image.Width, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        // Table classes and numbers: DC luminance 0x00, AC luminance 0x10, DC chrominance 0x01, AC chrominance 0x11.
        byte[] ids = [0x00, 0x10, 0x01, 0x11];
        var dht = new List<byte>();
        for (var i = 0; i < 4; i++)
        {
            dht.Add(ids[i]);
            dht.AddRange(tables[i].Counts);
            dht.AddRange(tables[i].Symbols);
        }

        Segment(output, 0xC4, [.. dht]);
        Segment(output, 0xDA, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
        var writer = new JpegBitWriter(output);
        Code(blocks, (table, symbol, extra, extraBits) =>
        {
            writer.Write(codes[table].Codes[symbol], codes[table].Lengths[symbol]);
            writer.Write(extra, extraBits);
        });
        writer.Flush();
        output.Write([0xFF, 0xD9]);
        return output.ToArray();
    }

    private delegate void SymbolSink(int table, int symbol, int extra, int extraBits);

    /// <summary>Quality 50 is the annex table; above halves towards 1, below scales up (the usual IJG-style scaling).</summary>
    private static int[] Scale(byte[] table, int quality)
    {
        var factor = quality < 50 ? 5000 / quality : 200 - (quality * 2);
        return table.Select(q => Math.Clamp(((q * factor) + 50) / 100, 1, 255)).ToArray();
    }

    private static byte[] ZigZagOrder(int[] natural) => ZigZag.NaturalIndex.Select(i => (byte)natural[i]).ToArray();

    /// <summary>Blocks in MCU order (Y, Cb, Cr per 8x8 area), quantised coefficients in zig-zag order; edges repeat the last pixel.</summary>
    private static short[][] Quantise(RgbImage image, int[] luminance, int[] chrominance)
    {
        int across = (image.Width + 7) / 8, down = (image.Height + 7) / 8;
        var blocks = new short[across * down * 3][];
        Span<float> samples = stackalloc float[64 * 3];
        Span<float> coefficients = stackalloc float[64];
        var n = 0;
        for (var by = 0; by < down; by++)
        {
            for (var bx = 0; bx < across; bx++)
            {
                for (var y = 0; y < 8; y++)
                {
                    var sy = Math.Min((by * 8) + y, image.Height - 1);
                    for (var x = 0; x < 8; x++)
                    {
                        var sx = Math.Min((bx * 8) + x, image.Width - 1);
                        var at = ((sy * image.Width) + sx) * 3;
                        float r = image.Pixels[at], g = image.Pixels[at + 1], b = image.Pixels[at + 2];
                        // T.871 section 7: RGB to YCbCr, level-shifted by 128 for the DCT.
                        samples[(y * 8) + x] = (0.299f * r) + (0.587f * g) + (0.114f * b) - 128;
                        samples[64 + (y * 8) + x] = (-0.168736f * r) - (0.331264f * g) + (0.5f * b);
                        samples[128 + (y * 8) + x] = (0.5f * r) - (0.418688f * g) - (0.081312f * b);
                    }
                }

                for (var c = 0; c < 3; c++)
                {
                    Dct.Forward(samples.Slice(c * 64, 64), coefficients);
                    var table = c == 0 ? luminance : chrominance;
                    var block = new short[64];
                    for (var k = 0; k < 64; k++)
                    {
                        var natural = ZigZag.NaturalIndex[k];
                        block[k] = (short)Math.Round(coefficients[natural] / table[natural], MidpointRounding.AwayFromZero);
                    }

                    blocks[n++] = block;
                }
            }
        }

        return blocks;
    }

    /// <summary>Huffman symbols of every block (F.1.2.1 DC differences, F.1.2.2 AC run/size with ZRL and EOB).</summary>
    private static void Code(short[][] blocks, SymbolSink sink)
    {
        Span<int> previousDc = stackalloc int[3];
        previousDc.Clear();
        for (var n = 0; n < blocks.Length; n++)
        {
            var component = n % 3;
            var chroma = component == 0 ? 0 : 1;
            var block = blocks[n];
            var diff = block[0] - previousDc[component];
            previousDc[component] = block[0];
            var size = Magnitude(diff);
            sink(chroma * 2, size, Bits(diff, size), size);
            var run = 0;
            for (var k = 1; k < 64; k++)
            {
                if (block[k] == 0)
                {
                    run++;
                    continue;
                }

                while (run > 15)
                {
                    sink((chroma * 2) + 1, 0xF0, 0, 0);
                    run -= 16;
                }

                var bits = Magnitude(block[k]);
                sink((chroma * 2) + 1, (run << 4) | bits, Bits(block[k], bits), bits);
                run = 0;
            }

            if (run > 0)
            {
                sink((chroma * 2) + 1, 0x00, 0, 0);
            }
        }
    }

    private static int Magnitude(int value)
    {
        var magnitude = Math.Abs(value);
        var size = 0;
        while (magnitude > 0)
        {
            size++;
            magnitude >>= 1;
        }

        return size;
    }

    /// <summary>The low bits of a value, with negatives as value - 1 (F.1.2.1).</summary>
    private static int Bits(int value, int size) => (value < 0 ? value - 1 : value) & ((1 << size) - 1);

    private static void Segment(Stream output, byte marker, byte[] body)
    {
        output.WriteByte(0xFF);
        output.WriteByte(marker);
        output.WriteByte((byte)((body.Length + 2) >> 8));
        output.WriteByte((byte)(body.Length + 2));
        output.Write(body);
    }
}
