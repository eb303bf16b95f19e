using System.Buffers.Binary;

namespace Talko.Core.Imaging.Png;

/// <summary>
/// Turns unfiltered PNG rows into 8-bit RGB, whatever the colour type and depth. Transparency (an alpha
/// channel, or tRNS: palette alphas or one transparent colour, section 11.3.2.1) is composited over
/// white, the usual backdrop of a chat timeline; 16-bit samples are rounded to 8 bits.
/// </summary>
internal sealed class PngPalette(PngHeader header)
{
    private readonly byte[] rgba = new byte[256 * 4];
    private int? transparentGray;
    private (int R, int G, int B)? transparentRgb;

    public bool HasPalette { get; private set; }

    public void SetPalette(byte[] plte)
    {
        var entries = plte.Length / 3;
        if (plte.Length % 3 != 0 || entries == 0 || entries > 256 || (header.ColorType == PngColorType.Indexed && entries > 1 << header.BitDepth))
        {
            throw new ImageDecodingException("The PNG palette has an invalid length.");
        }

        for (var i = 0; i < entries; i++)
        {
            rgba[i * 4] = plte[i * 3];
            rgba[(i * 4) + 1] = plte[(i * 3) + 1];
            rgba[(i * 4) + 2] = plte[(i * 3) + 2];
            rgba[(i * 4) + 3] = 255;
        }

        // Indices past the palette are an error in the file; show them as black rather than fail the whole image.
        for (var i = entries; i < 256; i++)
        {
            rgba[(i * 4) + 3] = 255;
        }

        HasPalette = true;
    }

    public void SetTransparency(byte[] trns)
    {
        switch (header.ColorType)
        {
            case PngColorType.Indexed when trns.Length <= 256:
                for (var i = 0; i < trns.Length; i++)
                {
                    rgba[(i * 4) + 3] = trns[i];
                }

                break;
            case PngColorType.Gray when trns.Length == 2:
                transparentGray = BinaryPrimitives.ReadUInt16BigEndian(trns);
                break;
            case PngColorType.Rgb when trns.Length == 6:
                transparentRgb = (BinaryPrimitives.ReadUInt16BigEndian(trns), BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(2)), BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(4)));
                break;
            default:
                throw new ImageDecodingException("The PNG tRNS chunk does not fit the colour type.");
        }
    }

    public void ToRgb(ReadOnlySpan<byte> row, int width, Span<byte> rgb)
    {
        var depth = header.BitDepth;
        for (var x = 0; x < width; x++)
        {
            int r, g, b, a = 255;
            switch (header.ColorType)
            {
                case PngColorType.Gray:
                {
                    var v = Sample(row, x, depth);
                    r = g = b = To8(v, depth);
                    if (v == transparentGray)
                    {
                        a = 0;
                    }

                    break;
                }

                case PngColorType.Indexed:
                {
                    var at = Sample(row, x, depth) * 4;
                    (r, g, b, a) = (rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]);
                    break;
                }

                case PngColorType.GrayAlpha:
                    r = g = b = To8(Sample(row, x * 2, depth), depth);
                    a = To8(Sample(row, (x * 2) + 1, depth), depth);
                    break;
                case PngColorType.Rgb:
                {
                    int rv = Sample(row, x * 3, depth), gv = Sample(row, (x * 3) + 1, depth), bv = Sample(row, (x * 3) + 2, depth);
                    (r, g, b) = (To8(rv, depth), To8(gv, depth), To8(bv, depth));
                    if (transparentRgb == (rv, gv, bv))
                    {
                        a = 0;
                    }

                    break;
                }

                default:
                    r = To8(Sample(row, x * 4, depth), depth);
                    g = To8(Sample(row, (x * 4) + 1, depth), depth);
                    b = To8(Sample(row, (x * 4) + 2, depth), depth);
                    a = To8(Sample(row, (x * 4) + 3, depth), depth);
                    break;
            }

            if (a != 255)
            {
                r = OverWhite(r, a);
                g = OverWhite(g, a);
                b = OverWhite(b, a);
            }

            rgb[x * 3] = (byte)r;
            rgb[(x * 3) + 1] = (byte)g;
            rgb[(x * 3) + 2] = (byte)b;
        }
    }

    /// <summary>The index-th sample of a row; samples below 8 bits are packed from the most significant bit (section 7.2).</summary>
    private static int Sample(ReadOnlySpan<byte> row, int index, int depth) => depth switch
    {
        8 => row[index],
        16 => (row[index * 2] << 8) | row[(index * 2) + 1],
        _ => (row[index * depth / 8] >> (8 - depth - (index * depth % 8))) & ((1 << depth) - 1),
    };

    private static int To8(int value, int depth) => depth switch
    {
        8 => value,
        16 => (value + 128) / 257,
        _ => value * 255 / ((1 << depth) - 1),
    };

    private static int OverWhite(int c, int a) => ((c * a) + (255 * (255 - a)) + 127) / 255;
}
