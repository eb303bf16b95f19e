namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// Images decoded scan by scan: progressive DCT (T.81 annex G) and sequential images with a scan per
/// component. Coefficients of the whole image are gathered first, then turned into rows. At 1/8 scale only
/// DC coefficients are kept and progressive AC scans are skipped unread, which makes thumbnails of large
/// progressive photos cheap (subsampled chroma keeps its AC coefficients, see <see cref="JpegComponent.BlockWidth"/>).
/// </summary>
public sealed partial class JpegDecoder
{
    /// <summary>A progressive image has about ten scans; far more means a broken or hostile file.</summary>
    private const int MaxScans = 256;

    /// <summary>DC refinement scans read raw bits, no Huffman table (G.1.2.1).</summary>
    private static readonly HuffmanDecodingTable NoTableNeeded = new(new byte[16], []);

    private int eobRun;

    private void DecodeBufferedScans(JpegInput input, JpegComponent[] scan, byte[] sos, CancellationToken cancellationToken)
    {
        var bytes = components.Sum(c => (long)c.BlocksPerLine * c.BlocksPerColumn * c.PerBlock) * sizeof(short);
        if (bytes > options.MaxCoefficientBytes)
        {
            throw new ImageTooLargeException($"The JPEG image needs {bytes} bytes of coefficients to decode scan by scan; at most {options.MaxCoefficientBytes} are allowed.");
        }

        foreach (var c in components)
        {
            c.Coefficients = new short[c.BlocksPerLine * c.BlocksPerColumn * c.PerBlock];
        }

        for (var scans = 1; ; scans++)
        {
            if (scans > MaxScans)
            {
                throw new ImageDecodingException($"The JPEG image has more than {MaxScans} scans.");
            }

            DecodeOneScan(input, scan, sos, cancellationToken);
            if (!NextScan(input, out scan, out sos))
            {
                return;
            }
        }
    }

    /// <summary>Reads table and other segments up to the next scan header (true) or the end of the image (false).</summary>
    private bool NextScan(JpegInput input, out JpegComponent[] scan, out byte[] sos)
    {
        while (true)
        {
            var marker = input.ReadMarker();
            switch (marker)
            {
                case 0xD9:
                    (scan, sos) = ([], []);
                    return false;
                case 0xDA:
                    sos = input.ReadSegment();
                    scan = ReadScanHeader(sos);
                    return true;
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
                case 0xDC:
                    throw new UnsupportedImageException("The JPEG image defines its height after the first scan (DNL).");
                case >= 0xD0 and <= 0xD7 or 0x01:
                    break;
                case >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    throw new ImageDecodingException("The JPEG image has a second frame header.");
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

    /// <summary>One scan: spectral selection Ss..Se and successive approximation Ah/Al from the end of its header (B.2.3, G.1.1.1).</summary>
    private void DecodeOneScan(JpegInput input, JpegComponent[] scan, byte[] sos, CancellationToken cancellationToken)
    {
        int ss = sos[^3], se = sos[^2], ah = sos[^1] >> 4, al = sos[^1] & 15;
        var valid = progressive
            ? ss <= se && se <= 63 && (ss == 0) == (se == 0) && (ss == 0 || scan.Length == 1) && al <= 13 && ah <= 13
            : ss == 0 && se == 63 && ah == 0 && al == 0;
        if (!valid)
        {
            throw new ImageDecodingException("The JPEG scan has an invalid spectral selection or successive approximation.");
        }

        input.BeginScan();
        eobRun = 0;
        foreach (var c in scan)
        {
            c.DcPrediction = 0;
            var needed = !progressive ? c.DcTable : ss > 0 ? c.AcTable : ah == 0 ? c.DcTable : NoTableNeeded;
            if (needed is null)
            {
                throw new ImageDecodingException("The JPEG scan uses an undefined Huffman table.");
            }
        }

        if (progressive && ss > 0 && !scan[0].KeepsAc)
        {
            input.EndScan(); // AC coefficients of a one-sample-per-block component are not needed.
            return;
        }

        Span<short> block = stackalloc short[64];
        var mcuCount = 0;
        var nextRestart = 0;
        if (scan.Length == 1)
        {
            // Non-interleaved (A.2.2): one block per MCU, over the blocks that hold samples.
            var c = scan[0];
            for (var row = 0; row < c.ScanBlocksPerColumn; row++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var column = 0; column < c.ScanBlocksPerLine; column++)
                {
                    Restart(input, scan, mcuCount++, ref nextRestart);
                    DecodeUnit(input, c, row, column, block, ss, se, ah, al);
                }
            }
        }
        else
        {
            for (var mcuRow = 0; mcuRow < mcuRows; mcuRow++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var mcu = 0; mcu < mcusPerLine; mcu++)
                {
                    Restart(input, scan, mcuCount++, ref nextRestart);
                    foreach (var c in scan)
                    {
                        for (var v = 0; v < c.Vertical; v++)
                        {
                            for (var h = 0; h < c.Horizontal; h++)
                            {
                                DecodeUnit(input, c, (mcuRow * c.Vertical) + v, (mcu * c.Horizontal) + h, block, ss, se, ah, al);
                            }
                        }
                    }
                }
            }
        }

        input.EndScan();
    }

    /// <summary>At the start of every restart interval but the first: the RSTn marker, then predictions and EOB runs start afresh (F.1.2.3, G.1.2).</summary>
    private void Restart(JpegInput input, JpegComponent[] scan, int mcuCount, ref int nextRestart)
    {
        if (restartInterval == 0 || mcuCount == 0 || mcuCount % restartInterval != 0)
        {
            return;
        }

        input.Restart(nextRestart);
        nextRestart = (nextRestart + 1) & 7;
        eobRun = 0;
        foreach (var c in scan)
        {
            c.DcPrediction = 0;
        }
    }

    private void DecodeUnit(JpegInput input, JpegComponent c, int blockRow, int blockColumn, Span<short> scratch, int ss, int se, int ah, int al)
    {
        var stored = c.Coefficients.AsSpan(((blockRow * c.BlocksPerLine) + blockColumn) * c.PerBlock, c.PerBlock);
        if (!progressive)
        {
            DecodeBlock(input, c, scratch, dcOnly: !c.KeepsAc);
            scratch[..c.PerBlock].CopyTo(stored);
        }
        else if (ss == 0)
        {
            DecodeDc(input, c, stored, ah, al);
        }
        else if (ah == 0)
        {
            DecodeAcFirst(input, c.AcTable!, stored, ss, se, al);
        }
        else
        {
            RefineAc(input, c.AcTable!, stored, ss, se, al);
        }
    }

    /// <summary>G.1.2.1: the first DC scan codes differences like the sequential mode, scaled by 2^Al; a refinement scan adds one bit.</summary>
    private static void DecodeDc(JpegInput input, JpegComponent c, Span<short> stored, int ah, int al)
    {
        if (ah == 0)
        {
            var size = (c.DcTable ?? throw new ImageDecodingException("The JPEG scan uses an undefined DC table.")).Decode(input);
            if (size > 11)
            {
                throw new ImageDecodingException("The JPEG image has an invalid DC difference.");
            }

            c.DcPrediction += Extend(input.ReadBits(size), size);
            stored[0] = (short)(c.DcPrediction << al);
        }
        else if (input.ReadBits(1) == 1)
        {
            stored[0] |= (short)(1 << al);
        }
    }

    /// <summary>G.1.2.2: the first scan of a band; EOBn codes end a run of blocks with nothing more in the band.</summary>
    private void DecodeAcFirst(JpegInput input, HuffmanDecodingTable table, Span<short> stored, int ss, int se, int al)
    {
        if (eobRun > 0)
        {
            eobRun--;
            return;
        }

        for (var k = ss; k <= se;)
        {
            var symbol = table.Decode(input);
            int run = symbol >> 4, bits = symbol & 15;
            if (bits == 0)
            {
                if (run < 15)
                {
                    eobRun = (1 << run) - 1 + input.ReadBits(run);
                    return;
                }

                k += 16;
                continue;
            }

            k += run;
            if (k > se || bits > 10)
            {
                throw new ImageDecodingException("The JPEG image has a block with too many coefficients.");
            }

            stored[k++] = (short)(Extend(input.ReadBits(bits), bits) << al);
        }
    }

    /// <summary>
    /// G.1.2.3: a refinement scan sends one correction bit for every coefficient already non-zero, and codes
    /// newly non-zero ones (always ±2^Al) by the run of still-zero coefficients before them.
    /// </summary>
    private void RefineAc(JpegInput input, HuffmanDecodingTable table, Span<short> stored, int ss, int se, int al)
    {
        int plus = 1 << al, minus = -1 << al;
        var k = ss;
        if (eobRun == 0)
        {
            for (; k <= se; k++)
            {
                var symbol = table.Decode(input);
                int run = symbol >> 4, bits = symbol & 15, value = 0;
                if (bits != 0)
                {
                    if (bits != 1)
                    {
                        throw new ImageDecodingException("The JPEG refinement scan codes a coefficient of more than one bit.");
                    }

                    value = input.ReadBits(1) == 1 ? plus : minus;
                }
                else if (run != 15)
                {
                    eobRun = (1 << run) + input.ReadBits(run);
                    break;
                }

                for (; k <= se; k++)
                {
                    if (stored[k] != 0)
                    {
                        Correct(input, stored, k, plus, minus);
                    }
                    else if (run-- == 0)
                    {
                        break;
                    }
                }

                if (value != 0)
                {
                    if (k > se)
                    {
                        throw new ImageDecodingException("The JPEG refinement scan places a coefficient outside its band.");
                    }

                    stored[k] = (short)value;
                }
            }
        }

        if (eobRun > 0)
        {
            for (; k <= se; k++)
            {
                if (stored[k] != 0)
                {
                    Correct(input, stored, k, plus, minus);
                }
            }

            eobRun--;
        }
    }

    private static void Correct(JpegInput input, Span<short> stored, int k, int plus, int minus)
    {
        if (input.ReadBits(1) == 1 && (stored[k] & plus) == 0)
        {
            stored[k] += (short)(stored[k] >= 0 ? plus : minus);
        }
    }

    private void EmitBuffered(IRowSink sink, CancellationToken cancellationToken)
    {
        for (var mcuRow = 0; mcuRow < mcuRows; mcuRow++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var c in components)
            {
                for (var v = 0; v < c.Vertical; v++)
                {
                    for (var column = 0; column < c.BlocksPerLine; column++)
                    {
                        var index = (((mcuRow * c.Vertical) + v) * c.BlocksPerLine) + column;
                        WriteBlock(c, c.Coefficients.AsSpan(index * c.PerBlock, c.PerBlock), column, v);
                    }
                }
            }

            EmitMcuRow(sink, mcuRow);
        }
    }
}
