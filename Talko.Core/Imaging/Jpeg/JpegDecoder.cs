namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// Decodes Huffman-coded, 8-bit JPEG (ITU-T T.81): sequential DCT (annex F; SOF0, SOF1) and progressive DCT
/// (annex G; SOF2), grayscale or three components, any sampling factors (so 4:4:4, 4:2:2, 4:2:0), and
/// restart markers. A sequential image in one interleaved scan is decoded one MCU row at a time into the
/// sink, so memory is a few rows whatever the image size; other images hold their coefficients, bounded by
/// <see cref="ImagingOptions.MaxCoefficientBytes"/>.
/// When the caller only needs an image at most 1/8 of the size, it takes each block's DC coefficient
/// (the block's mean, section A.3.3) instead of the full inverse DCT: exact for a box filter, and much faster.
/// Lossless, hierarchical, arithmetic-coded, 12-bit and CMYK images raise <see cref="UnsupportedImageException"/>.
/// </summary>
public sealed partial class JpegDecoder(ImagingOptions options)
{
    private readonly HuffmanDecodingTable?[] dcTables = new HuffmanDecodingTable?[4];
    private readonly HuffmanDecodingTable?[] acTables = new HuffmanDecodingTable?[4];
    private readonly ushort[][] quantTables = new ushort[4][];
    private JpegComponent[] components = [];
    private int width;
    private int height;
    private int restartInterval;
    private int orientation = 1;
    private bool adobeRgb;
    private bool progressive;
    private int maxH;
    private int maxV;
    private int mcusPerLine;
    private int mcuRows;
    private int outWidth;
    private int outHeight;
    private int outRowsPerMcu;
    private ColourConverter? colour;
    private byte[] rgb = [];

    /// <summary>
    /// Decodes into <paramref name="sink"/>. With <paramref name="reduceToFit"/> above zero, the image may be
    /// decoded at 1/2, 1/4 or 1/8 scale, the smallest that still covers a <paramref name="reduceToFit"/>-pixel bounding box.
    /// </summary>
    public JpegInfo Decode(Stream stream, IRowSink sink, int reduceToFit = 0, CancellationToken cancellationToken = default)
    {
        var input = new JpegInput(stream);
        if (input.ReadMarker() != 0xD8)
        {
            throw new ImageDecodingException("The content is not a JPEG image.");
        }

        while (true)
        {
            var marker = input.ReadMarker();
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    progressive = marker == 0xC2;
                    ReadFrame(input.ReadSegment());
                    break;
                case 0xC6 or 0xCA or 0xCE:
                    throw new UnsupportedImageException("The JPEG image is hierarchical or arithmetic-coded progressive, which this decoder does not implement.");
                case 0xC3 or 0xC5 or 0xC7 or 0xC9 or 0xCB or 0xCD or 0xCF:
                    throw new UnsupportedImageException("The JPEG image is lossless or arithmetic-coded, which this decoder does not implement.");
                case 0xC4:
                    ReadHuffmanTables(input.ReadSegment());
                    break;
                case 0xDB:
                    ReadQuantTables(input.ReadSegment());
                    break;
                case 0xDD:
                    var dri = input.ReadSegment();
                    restartInterval = dri.Length == 2 ? (dri[0] << 8) | dri[1] : throw new ImageDecodingException("The JPEG restart interval segment has the wrong length.");
                    break;
                case 0xE1:
                    var app1 = input.ReadSegment();
                    if (orientation == 1)
                    {
                        orientation = ExifOrientationReader.Read(app1);
                    }

                    break;
                case 0xEE:
                    // Adobe APP14: transform 0 means the three components are RGB, not YCbCr.
                    var app14 = input.ReadSegment();
                    adobeRgb = app14.Length >= 12 && app14.AsSpan().StartsWith("Adobe"u8) && app14[11] == 0;
                    break;
                case 0xDA:
                    var scale = DecodeScan(input, input.ReadSegment(), sink, reduceToFit, cancellationToken);
                    return new JpegInfo(width, height, orientation, scale);
                case 0xD9:
                    throw new ImageDecodingException("The JPEG image ends before any scan.");
                case >= 0xD0 and <= 0xD7 or 0x01:
                    break;
                case 0xDC:
                    throw new UnsupportedImageException("The JPEG image defines its height after the first scan (DNL).");
                default:
                    if (marker < 0xC0)
                    {
                        throw new ImageDecodingException($"The JPEG image has an invalid marker 0x{marker:X2}.");
                    }

                    input.SkipSegment();
                    break;
            }
        }
    }

    /// <summary>Frame header, B.2.2.</summary>
    private void ReadFrame(byte[] sof)
    {
        if (components.Length > 0)
        {
            throw new ImageDecodingException("The JPEG image has two frame headers.");
        }

        if (sof.Length < 6)
        {
            throw new ImageDecodingException("The JPEG frame header is too short.");
        }

        if (sof[0] != 8)
        {
            throw new UnsupportedImageException($"The JPEG image has {sof[0]}-bit samples; only 8-bit is decoded.");
        }

        height = (sof[1] << 8) | sof[2];
        width = (sof[3] << 8) | sof[4];
        if (height == 0)
        {
            throw new UnsupportedImageException("The JPEG image defines its height after the first scan (DNL).");
        }

        if (width == 0)
        {
            throw new ImageDecodingException("The JPEG image has no columns.");
        }

        if ((long)width * height > options.MaxPixels || width > options.MaxDimension || height > options.MaxDimension)
        {
            throw new ImageTooLargeException($"The JPEG image is {width}x{height}; at most {options.MaxPixels} pixels and {options.MaxDimension} per side are decoded.");
        }

        var count = sof[5];
        if (count is not 1 and not 3)
        {
            throw new UnsupportedImageException($"The JPEG image has {count} components; only grayscale and three-component colour are decoded.");
        }

        if (sof.Length != 6 + (count * 3))
        {
            throw new ImageDecodingException("The JPEG frame header has the wrong length.");
        }

        components = new JpegComponent[count];
        for (var i = 0; i < count; i++)
        {
            int h = sof[7 + (i * 3)] >> 4, v = sof[7 + (i * 3)] & 15, tq = sof[8 + (i * 3)];
            if (h is < 1 or > 4 || v is < 1 or > 4 || tq > 3)
            {
                throw new ImageDecodingException("The JPEG frame header has an invalid sampling factor or table number.");
            }

            // A single component is coded non-interleaved in 8x8 blocks, whatever its declared sampling (A.2.2).
            components[i] = count == 1 ? new JpegComponent(sof[6], 1, 1, tq) : new JpegComponent(sof[6 + (i * 3)], h, v, tq);
        }
    }

    /// <summary>DHT, B.2.4.2: one or more tables, each 16 counts then the symbols.</summary>
    private void ReadHuffmanTables(byte[] dht)
    {
        var at = 0;
        while (at < dht.Length)
        {
            if (at + 17 > dht.Length)
            {
                throw new ImageDecodingException("The JPEG Huffman table segment is too short.");
            }

            int tableClass = dht[at] >> 4, id = dht[at] & 15;
            if (tableClass > 1 || id > 3)
            {
                throw new ImageDecodingException("The JPEG Huffman table has an invalid class or number.");
            }

            var counts = dht.AsSpan(at + 1, 16);
            var total = 0;
            foreach (var c in counts)
            {
                total += c;
            }

            if (total > 256 || at + 17 + total > dht.Length)
            {
                throw new ImageDecodingException("The JPEG Huffman table has more symbols than its segment holds.");
            }

            var table = new HuffmanDecodingTable(counts, dht.AsSpan(at + 17, total));
            (tableClass == 0 ? dcTables : acTables)[id] = table;
            at += 17 + total;
        }
    }

    /// <summary>DQT, B.2.4.1: tables in zig-zag order, 8- or 16-bit entries.</summary>
    private void ReadQuantTables(byte[] dqt)
    {
        var at = 0;
        while (at < dqt.Length)
        {
            int precision = dqt[at] >> 4, id = dqt[at] & 15;
            var size = precision == 0 ? 64 : 128;
            if (precision > 1 || id > 3 || at + 1 + size > dqt.Length)
            {
                throw new ImageDecodingException("The JPEG quantisation table is invalid.");
            }

            var table = new ushort[64];
            for (var k = 0; k < 64; k++)
            {
                table[k] = precision == 0 ? dqt[at + 1 + k] : (ushort)((dqt[at + 1 + (2 * k)] << 8) | dqt[at + 2 + (2 * k)]);
            }

            quantTables[id] = table;
            at += 1 + size;
        }
    }

    /// <summary>
    /// The first scan header (B.2.3). A sequential image whose one scan holds every component is decoded
    /// MCU row by MCU row straight into the sink; anything else (progressive, or one scan per component)
    /// is gathered scan by scan into coefficient buffers first. Returns the scale decoded at.
    /// </summary>
    private int DecodeScan(JpegInput input, byte[] sos, IRowSink sink, int reduceToFit, CancellationToken cancellationToken)
    {
        if (components.Length == 0)
        {
            throw new ImageDecodingException("The JPEG scan comes before the frame header.");
        }

        var scan = ReadScanHeader(sos);
        var blockSize = PrepareOutput(reduceToFit, sink);
        if (progressive || scan.Length != components.Length)
        {
            DecodeBufferedScans(input, scan, sos, cancellationToken);
            EmitBuffered(sink, cancellationToken);
            return 8 / blockSize;
        }

        Span<short> coefficients = stackalloc short[64];
        var mcuCount = 0;
        var nextRestart = 0;
        for (var mcuRow = 0; mcuRow < mcuRows; mcuRow++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var mcu = 0; mcu < mcusPerLine; mcu++)
            {
                if (restartInterval > 0 && mcuCount > 0 && mcuCount % restartInterval == 0)
                {
                    input.Restart(nextRestart);
                    nextRestart = (nextRestart + 1) & 7;
                    foreach (var c in components)
                    {
                        c.DcPrediction = 0;
                    }
                }

                foreach (var c in scan)
                {
                    for (var v = 0; v < c.Vertical; v++)
                    {
                        for (var h = 0; h < c.Horizontal; h++)
                        {
                            DecodeBlock(input, c, coefficients, dcOnly: !c.KeepsAc);
                            WriteBlock(c, coefficients, (mcu * c.Horizontal) + h, v);
                        }
                    }
                }

                mcuCount++;
            }

            EmitMcuRow(sink, mcuRow);
        }

        return 8 / blockSize;
    }

    /// <summary>The components of a scan, in scan order, with their tables attached (B.2.3).</summary>
    private JpegComponent[] ReadScanHeader(byte[] sos)
    {
        if (sos.Length < 1 || sos[0] is < 1 or > 4 || sos.Length != 4 + (sos[0] * 2))
        {
            throw new ImageDecodingException("The JPEG scan header has the wrong length.");
        }

        var scan = new JpegComponent[sos[0]];
        for (var i = 0; i < scan.Length; i++)
        {
            var component = components.FirstOrDefault(c => c.Id == sos[1 + (i * 2)])
                ?? throw new ImageDecodingException("The JPEG scan names a component the frame does not have.");
            int td = sos[2 + (i * 2)] >> 4, ta = sos[2 + (i * 2)] & 15;
            // Progressive scans use only the tables their kind needs (G.1.2), so a missing one is checked on use.
            component.DcTable = td < 4 ? dcTables[td] : null;
            component.AcTable = ta < 4 ? acTables[ta] : null;
            if (!progressive && (component.DcTable is null || component.AcTable is null))
            {
                throw new ImageDecodingException("The JPEG scan uses an undefined Huffman table.");
            }

            if (quantTables[component.QuantTable] is null)
            {
                throw new ImageDecodingException("The JPEG image uses an undefined quantisation table.");
            }

            scan[i] = component;
        }

        return scan;
    }

    /// <summary>Fixes the MCU geometry and output size, allocates one MCU row of samples per component, and starts the sink.</summary>
    private int PrepareOutput(int reduceToFit, IRowSink sink)
    {
        maxH = components.Max(c => c.Horizontal);
        maxV = components.Max(c => c.Vertical);
        mcusPerLine = (width + (8 * maxH) - 1) / (8 * maxH);
        mcuRows = (height + (8 * maxV) - 1) / (8 * maxV);
        var (fitWidth, fitHeight) = BoxDownscaler.Fit(width, height, Math.Max(1, reduceToFit));
        // Scaled decoding needs every component's subsampling to divide the largest into 1, 2 or 4 (true of
        // 4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1); then a luma block yields 1, 2 or 4 samples each way, the least
        // that still covers the bounding box, and the box filter does the rest.
        var reducible = reduceToFit > 0 && components.All(c => maxH % c.Horizontal == 0 && maxV % c.Vertical == 0 && maxH / c.Horizontal is 1 or 2 or 4 && maxV / c.Vertical is 1 or 2 or 4);
        var blockSize = 8;
        for (var size = 1; reducible && size < 8; size *= 2)
        {
            if ((((long)width * size) + 7) / 8 >= fitWidth && (((long)height * size) + 7) / 8 >= fitHeight)
            {
                blockSize = size;
                break;
            }
        }

        outWidth = (int)((((long)width * blockSize) + 7) / 8);
        outHeight = (int)((((long)height * blockSize) + 7) / 8);
        outRowsPerMcu = maxV * blockSize;
        foreach (var c in components)
        {
            c.BlockWidth = Math.Min(8, blockSize * maxH / c.Horizontal);
            c.BlockHeight = Math.Min(8, blockSize * maxV / c.Vertical);
            c.BlocksPerLine = mcusPerLine * c.Horizontal;
            c.BlocksPerColumn = mcuRows * c.Vertical;
            c.ScanBlocksPerLine = ((((width * c.Horizontal) + maxH - 1) / maxH) + 7) / 8;
            c.ScanBlocksPerColumn = ((((height * c.Vertical) + maxV - 1) / maxV) + 7) / 8;
            c.Stride = c.BlocksPerLine * c.BlockWidth;
            c.Samples = new byte[c.Stride * c.RowsPerMcu];
            c.ColumnOf = new int[outWidth];
            for (var x = 0; x < outWidth; x++)
            {
                c.ColumnOf[x] = (int)((long)x * c.Horizontal * c.BlockWidth / (maxH * blockSize));
            }
        }

        colour = new ColourConverter(components.Length == 3 && (adobeRgb || (components[0].Id == 'R' && components[1].Id == 'G' && components[2].Id == 'B')));
        rgb = new byte[outWidth * 3];
        sink.Begin(outWidth, outHeight);
        return blockSize;
    }

    /// <summary>Dequantises a zig-zag block and writes its samples (8x8, or the reduced size of 1/8 scale) into the MCU row buffer.</summary>
    private void WriteBlock(JpegComponent c, ReadOnlySpan<short> coefficients, int blockColumn, int blockRow)
    {
        var quant = quantTables[c.QuantTable];
        var output = c.Samples.AsSpan((blockRow * c.BlockHeight * c.Stride) + (blockColumn * c.BlockWidth));
        if (!c.KeepsAc)
        {
            output[0] = Dct.Clamp((coefficients[0] * quant[0] / 8f) + 128);
            return;
        }

        Span<float> natural = stackalloc float[64];
        natural.Clear();
        for (var k = 0; k < 64; k++)
        {
            if (coefficients[k] != 0)
            {
                natural[ZigZag.NaturalIndex[k]] = coefficients[k] * quant[k];
            }
        }

        if (c.BlockWidth == 8 && c.BlockHeight == 8)
        {
            Dct.Inverse(natural, output, c.Stride);
        }
        else
        {
            Dct.InverseBoxed(natural, c.BlockWidth, c.BlockHeight, output, c.Stride);
        }
    }

    private void EmitMcuRow(IRowSink sink, int mcuRow)
    {
        var top = mcuRow * outRowsPerMcu;
        for (var line = 0; line < outRowsPerMcu && top + line < outHeight; line++)
        {
            colour!.Convert(components, line, outRowsPerMcu, rgb);
            sink.WriteRow(top + line, rgb);
        }
    }

    /// <summary>One 8x8 block (F.2.2.1 and F.2.2.2), coefficients left in zig-zag order; with dcOnly the AC values are read past, not stored.</summary>
    private static void DecodeBlock(JpegInput input, JpegComponent component, Span<short> coefficients, bool dcOnly)
    {
        coefficients.Clear();
        var size = component.DcTable!.Decode(input);
        if (size > 11)
        {
            throw new ImageDecodingException("The JPEG image has an invalid DC difference.");
        }

        component.DcPrediction += Extend(input.ReadBits(size), size);
        coefficients[0] = (short)Math.Clamp(component.DcPrediction, short.MinValue, short.MaxValue);
        var ac = component.AcTable!;
        for (var k = 1; k < 64;)
        {
            var symbol = ac.Decode(input);
            int run = symbol >> 4, bits = symbol & 15;
            if (bits == 0)
            {
                if (run != 15)
                {
                    break; // end of block
                }

                k += 16;
                continue;
            }

            k += run;
            if (k > 63 || bits > 10)
            {
                throw new ImageDecodingException("The JPEG image has a block with too many coefficients.");
            }

            var value = Extend(input.ReadBits(bits), bits);
            if (!dcOnly)
            {
                coefficients[k] = (short)value;
            }

            k++;
        }
    }

    /// <summary>EXTEND of F.2.2.1: a value of <paramref name="bits"/> bits whose top bit is 0 is negative.</summary>
    private static int Extend(int value, int bits) => bits == 0 ? 0 : value < 1 << (bits - 1) ? value - (1 << bits) + 1 : value;
}
