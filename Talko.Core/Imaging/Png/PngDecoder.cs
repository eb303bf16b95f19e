using System.Buffers.Binary;
using System.IO.Compression;

namespace Talko.Core.Imaging.Png;

/// <summary>
/// Decodes PNG (ISO/IEC 15948, PNG 1.2) into 8-bit RGB rows: every colour type and bit depth, palettes and
/// tRNS transparency (composited over white, since thumbnails are JPEG), filter types 0-4, and Adam7
/// interlacing. Only two rows of the image are held; interlaced passes go straight to the sink.
/// </summary>
public sealed class PngDecoder(ImagingOptions options)
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Adam7 passes (section 8.2): first column, first row, column step, row step.</summary>
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    public PngHeader Decode(Stream input, IRowSink sink, CancellationToken cancellationToken = default)
    {
        var chunks = new PngChunkReader(input, options.MaxCompressedBytes);
        Span<byte> signature = stackalloc byte[8];
        chunks.Read(signature);
        if (!signature.SequenceEqual(Signature))
        {
            throw new ImageDecodingException("The content is not a PNG image.");
        }

        chunks.Next();
        if (chunks.Type != "IHDR" || chunks.Length != 13)
        {
            throw new ImageDecodingException("The PNG image does not start with a 13-byte IHDR chunk.");
        }

        var ihdr = new byte[13];
        chunks.Read(ihdr);
        chunks.Skip(4);
        var header = ReadHeader(ihdr);
        var palette = new PngPalette(header);
        while (true)
        {
            chunks.Next();
            if (chunks.Type == "IDAT")
            {
                break;
            }

            if (chunks.Length > options.MaxPngChunkBytes)
            {
                throw new ImageDecodingException($"The PNG chunk {chunks.Type} is longer than {options.MaxPngChunkBytes} bytes.");
            }

            switch (chunks.Type)
            {
                case "PLTE" or "tRNS":
                    var data = new byte[chunks.Length];
                    chunks.Read(data);
                    if (chunks.Type == "PLTE")
                    {
                        palette.SetPalette(data);
                    }
                    else
                    {
                        palette.SetTransparency(data);
                    }

                    chunks.Skip(4);
                    break;
                case "IEND":
                    throw new ImageDecodingException("The PNG image has no image data.");
                default:
                    // Section 5.4: a decoder must refuse an unknown critical chunk (upper-case first letter).
                    if (char.IsAsciiLetterUpper(chunks.Type[0]))
                    {
                        throw new UnsupportedImageException($"The PNG image has an unknown critical chunk {chunks.Type}.");
                    }

                    chunks.Skip(chunks.Length + 4L);
                    break;
            }
        }

        if (header.ColorType == PngColorType.Indexed && !palette.HasPalette)
        {
            throw new ImageDecodingException("The indexed PNG image has no PLTE chunk.");
        }

        sink.Begin(header.Width, header.Height);
        try
        {
            using var zlib = new ZLibStream(new IdatStream(chunks), CompressionMode.Decompress);
            if (header.Interlaced)
            {
                foreach (var pass in Adam7)
                {
                    var passWidth = header.Width > pass.X0 ? (header.Width - pass.X0 + pass.Dx - 1) / pass.Dx : 0;
                    var passHeight = header.Height > pass.Y0 ? (header.Height - pass.Y0 + pass.Dy - 1) / pass.Dy : 0;
                    if (passWidth > 0 && passHeight > 0)
                    {
                        DecodeRows(zlib, header, palette, passWidth, passHeight, (row, rgb) => sink.WriteRow(pass.Y0 + (row * pass.Dy), rgb, pass.X0, pass.Dx), cancellationToken);
                    }
                }
            }
            else
            {
                DecodeRows(zlib, header, palette, header.Width, header.Height, (row, rgb) => sink.WriteRow(row, rgb), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException)
        {
            // ZLibStream reports damage as InvalidDataException or (from zlib itself) an internal IOException subclass.
            throw new ImageDecodingException("The PNG image data is not a valid zlib stream.", exception);
        }

        return header;
    }

    private delegate void RowWriter(int row, ReadOnlySpan<byte> rgb);

    private PngHeader ReadHeader(byte[] ihdr)
    {
        var width = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        var height = BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(4));
        if (width == 0 || height == 0)
        {
            throw new ImageDecodingException("The PNG image has no pixels.");
        }

        if (width > options.MaxDimension || height > options.MaxDimension || (long)width * height > options.MaxPixels)
        {
            throw new ImageTooLargeException($"The PNG image is {width}x{height}; at most {options.MaxPixels} pixels and {options.MaxDimension} per side are decoded.");
        }

        var bitDepth = ihdr[8];
        var colorType = (PngColorType)ihdr[9];
        // Table 11.1: the bit depths each colour type allows.
        var allowed = colorType switch
        {
            PngColorType.Gray => bitDepth is 1 or 2 or 4 or 8 or 16,
            PngColorType.Indexed => bitDepth is 1 or 2 or 4 or 8,
            PngColorType.Rgb or PngColorType.GrayAlpha or PngColorType.RgbAlpha => bitDepth is 8 or 16,
            _ => false,
        };
        if (!allowed)
        {
            throw new ImageDecodingException($"The PNG image has colour type {ihdr[9]} with bit depth {bitDepth}, which the standard does not allow.");
        }

        if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
        {
            throw new ImageDecodingException("The PNG image uses an unknown compression, filter or interlace method.");
        }

        return new PngHeader((int)width, (int)height, bitDepth, colorType, ihdr[12] == 1);
    }

    private static void DecodeRows(Stream zlib, PngHeader header, PngPalette palette, int width, int height, RowWriter write, CancellationToken cancellationToken)
    {
        var bitsPerPixel = header.BitDepth * header.Channels;
        var rowBytes = (int)(((long)width * bitsPerPixel + 7) / 8);
        // Filters compare a byte with the one a whole pixel to the left, or one byte left when pixels are smaller than a byte.
        var bytesPerPixel = Math.Max(1, bitsPerPixel / 8);
        var previous = new byte[rowBytes];
        var current = new byte[rowBytes];
        var rgb = new byte[width * 3];
        Span<byte> filter = stackalloc byte[1];
        for (var y = 0; y < height; y++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadExactly(zlib, filter);
            ReadExactly(zlib, current);
            PngFilters.Unfilter(filter[0], current, previous, bytesPerPixel);
            palette.ToRgb(current, width, rgb);
            write(y, rgb);
            (previous, current) = (current, previous);
        }
    }

    private static void ReadExactly(Stream zlib, Span<byte> buffer)
    {
        try
        {
            zlib.ReadExactly(buffer);
        }
        catch (EndOfStreamException exception)
        {
            throw new ImageDecodingException("The PNG image data ends before the last row.", exception);
        }
    }
}
