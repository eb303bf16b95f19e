using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using SkiaSharp;

namespace Talko.Tests.Core.Imaging;

/// <summary>Fixture files (made by scripts/make-imaging-fixtures.sh), their reference decodes, and images built in memory.</summary>
internal static class ImageFixtures
{
    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Core", "Imaging", "Fixtures", name));

    /// <summary>A binary PPM (P6) or PGM (P5, expanded to RGB), maxval 255, as written by djpeg and ImageMagick.</summary>
    public static RgbImage ReadPpm(string name)
    {
        var bytes = Read(name);
        var at = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)bytes[at]))
            {
                at++;
            }

            var start = at;
            while (!char.IsWhiteSpace((char)bytes[at]))
            {
                at++;
            }

            return Encoding.ASCII.GetString(bytes, start, at - start);
        }

        var kind = Token();
        Assert.Contains(kind, new[] { "P5", "P6" });
        int width = int.Parse(Token()), height = int.Parse(Token());
        Assert.Equal("255", Token());
        at++;
        if (kind == "P6")
        {
            return new RgbImage(width, height, bytes.AsSpan(at, width * height * 3).ToArray());
        }

        return new RgbImage(width, height, bytes.Skip(at).Take(width * height).SelectMany(g => new[] { g, g, g }).ToArray());
    }

    /// <summary>Decodes an encoded image (SkiaSharp) into RGB, transparency over black; fails the test when it does not decode.</summary>
    public static RgbImage Decode(byte[] encoded)
    {
        using var bitmap = SKBitmap.Decode(encoded);
        Assert.NotNull(bitmap);
        using var rgba = new SKBitmap(new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Assert.True(bitmap.CopyTo(rgba, SKColorType.Rgba8888));
        var pixels = rgba.GetPixelSpan();
        var image = new RgbImage(bitmap.Width, bitmap.Height);
        for (int i = 0, o = 0; i < pixels.Length; i += 4, o += 3)
        {
            pixels.Slice(i, 3).CopyTo(image.Pixels.AsSpan(o));
        }

        return image;
    }

    /// <summary>A JPEG of <paramref name="image"/> (SkiaSharp's encoder, 4:2:0).</summary>
    public static byte[] Jpeg(RgbImage image, int quality) => Encode(image, SKEncodedImageFormat.Jpeg, quality);

    /// <summary>A lossy WebP of <paramref name="image"/> (quality below 100) or a lossless one (100).</summary>
    public static byte[] Webp(RgbImage image, int quality) => Encode(image, SKEncodedImageFormat.Webp, quality);

    private static byte[] Encode(RgbImage image, SKEncodedImageFormat format, int quality)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0, o = 0; o < image.Pixels.Length; i += 4, o += 3)
        {
            image.Pixels.AsSpan(o, 3).CopyTo(pixels[i..]);
            pixels[i + 3] = 255;
        }

        using var data = bitmap.Encode(format, quality);
        Assert.NotNull(data);
        return data.ToArray();
    }

    /// <summary>The exact area average of <paramref name="image"/> at <paramref name="width"/>x<paramref name="height"/>: the reference a good downscale approaches.</summary>
    public static RgbImage AreaMean(RgbImage image, int width, int height)
    {
        var result = new RgbImage(width, height);
        var sums = new double[width * height * 3];
        var weights = new double[width * height];
        double sx = (double)width / image.Width, sy = (double)height / image.Height;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                // Each source pixel lands in the target pixel that holds its centre.
                var tx = Math.Min(width - 1, (int)((x + 0.5) * sx));
                var ty = Math.Min(height - 1, (int)((y + 0.5) * sy));
                var target = (ty * width) + tx;
                weights[target]++;
                for (var c = 0; c < 3; c++)
                {
                    sums[(target * 3) + c] += image.Pixels[(((y * image.Width) + x) * 3) + c];
                }
            }
        }

        for (var i = 0; i < sums.Length; i++)
        {
            result.Pixels[i] = (byte)Math.Round(sums[i] / Math.Max(1, weights[i / 3]));
        }

        return result;
    }

    /// <summary>The largest per-channel difference and the mean absolute difference between two images of the same size.</summary>
    public static (int Max, double Mean) Difference(RgbImage expected, RgbImage actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var max = 0;
        long total = 0;
        for (var i = 0; i < expected.Pixels.Length; i++)
        {
            var d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
            max = Math.Max(max, d);
            total += d;
        }

        return (max, (double)total / expected.Pixels.Length);
    }

    /// <summary>A picture with gradients and a few hard edges, so every decoder path has something to get wrong.</summary>
    public static RgbImage Pattern(int width, int height)
    {
        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var at = ((y * width) + x) * 3;
                var inSquare = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
                image.Pixels[at] = inSquare ? (byte)20 : (byte)(255 * x / Math.Max(1, width - 1));
                image.Pixels[at + 1] = inSquare ? (byte)200 : (byte)(255 * y / Math.Max(1, height - 1));
                image.Pixels[at + 2] = (byte)((x + y) % 256);
            }
        }

        return image;
    }

    /// <summary>An 8-bit truecolour PNG of <paramref name="image"/> with the Up filter on every row.</summary>
    public static byte[] Png(RgbImage image)
    {
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            var previous = new byte[image.Width * 3];
            for (var y = 0; y < image.Height; y++)
            {
                var row = image.Row(y).ToArray();
                zlib.WriteByte(2);
                zlib.Write(row.Select((b, i) => (byte)(b - previous[i])).ToArray());
                previous = row;
            }
        }

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = 8;
        header[9] = 2;
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
        png.Write(crc);
    }
}
