using SkiaSharp;

namespace Talko.Core.Imaging;

/// <summary>
/// A JPEG thumbnail and the sizes involved: the source's as stored (before Exif orientation), and the size the
/// codec decoded it at before the final downscale.
/// </summary>
public sealed record Thumbnail(byte[] Jpeg, int Width, int Height, int SourceWidth, int SourceHeight, int DecodeWidth, int DecodeHeight);

/// <summary>
/// Makes a JPEG thumbnail with SkiaSharp (ADR 0351): read the header, refuse what breaks a limit, decode at the
/// smallest scale the codec offers that still covers the thumbnail (JPEG: 1/8 to 8/8 in DCT steps; WebP: any),
/// draw it upright into the bounding size with mipmapped sampling (plain bilinear would alias fine detail and
/// sensor noise into stripes), composite transparency over white, encode.
/// </summary>
public sealed class Thumbnailer(ImagingOptions options)
{
    private static readonly SKSamplingOptions Downscale = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>Decode JPEG and WebP at the smallest scale that covers the thumbnail; false only to measure what that saves.</summary>
    public bool ReducedSizeDecode { get; init; } = true;

    /// <summary>
    /// Makes the thumbnail, or throws <see cref="ImageDecodingException"/> (bad, unsupported or too large input)
    /// or <see cref="OperationCanceledException"/> once <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Thumbnail Create(Stream image, ImageCodec expected, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var input = new StoppableReadStream(image, cancellationToken);
        using var codec = SKCodec.Create(input, out var opened);
        if (codec is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ImageDecodingException($"The image header could not be read ({opened}).");
        }

        CheckCoding(codec.EncodedFormat, expected);
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        CheckLimits(width, height);

        var scale = Math.Min(1f, options.ThumbnailMaxSide / (float)Math.Max(width, height));
        var (targetWidth, targetHeight) = (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
        var decodeSize = ReducedSizeDecode ? SmallestCoveringSize(codec, scale, targetWidth, targetHeight) : new SKSizeI(width, height);

        using var decoded = Decode(codec, input, decodeSize, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        var origin = codec.EncodedOrigin;
        var (shownWidth, shownHeight) = OriginTransform.SwapsSides(origin) ? (targetHeight, targetWidth) : (targetWidth, targetHeight);
        using var surface = SKSurface.Create(new SKImageInfo(shownWidth, shownHeight, SKColorType.Rgba8888, SKAlphaType.Premul, SKColorSpace.CreateSrgb()))
            ?? throw new InvalidOperationException("Skia could not create a raster surface for the thumbnail.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.SetMatrix(OriginTransform.Matrix(origin, targetWidth, targetHeight));
        using (var source = SKImage.FromBitmap(decoded))
        {
            canvas.DrawImage(source, new SKRect(0, 0, targetWidth, targetHeight), Downscale);
        }

        // 4:4:4: at thumbnail size, halving the colour resolution visibly smears edges and small details.
        using var pixels = surface.PeekPixels() ?? throw new InvalidOperationException("The thumbnail surface has no raster pixels.");
        using var jpeg = pixels.Encode(new SKJpegEncoderOptions(options.JpegQuality, SKJpegEncoderDownsample.Downsample444, SKJpegEncoderAlphaOption.Ignore))
            ?? throw new InvalidOperationException("Skia could not encode the thumbnail as JPEG.");
        return new Thumbnail(jpeg.ToArray(), shownWidth, shownHeight, width, height, decodeSize.Width, decodeSize.Height);
    }

    /// <summary>
    /// The smallest size the codec decodes at that still covers the thumbnail. JPEG offers n/8 and rounds a
    /// requested scale to the nearest step, which may fall short, so larger steps are tried in turn.
    /// </summary>
    private static SKSizeI SmallestCoveringSize(SKCodec codec, float scale, int targetWidth, int targetHeight)
    {
        var candidates = new[] { scale }.Concat(Enumerable.Range((int)Math.Ceiling(scale * 8), 8).Where(n => n < 8).Select(n => n / 8f));
        foreach (var candidate in candidates)
        {
            var size = codec.GetScaledDimensions(candidate);
            if (size.Width >= targetWidth && size.Height >= targetHeight)
            {
                return size;
            }
        }

        return codec.Info.Size;
    }

    private static void CheckCoding(SKEncodedImageFormat actual, ImageCodec expected)
    {
        ImageCodec? coding = actual switch
        {
            SKEncodedImageFormat.Jpeg => ImageCodec.Jpeg,
            SKEncodedImageFormat.Png => ImageCodec.Png,
            SKEncodedImageFormat.Webp => ImageCodec.Webp,
            _ => null,
        };
        if (coding != expected)
        {
            throw new UnsupportedImageException($"The content decodes as {actual}, not as the {expected} it was recognised as.");
        }
    }

    private void CheckLimits(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageDecodingException($"The image declares {width}x{height} pixels.");
        }

        if (width > options.MaxDimension || height > options.MaxDimension || (long)width * height > options.MaxPixels)
        {
            throw new ImageTooLargeException(
                $"The image declares {width}x{height} pixels; the limits are {options.MaxDimension} a side and {options.MaxPixels} in all.");
        }
    }

    /// <summary>Decodes into sRGB at <paramref name="size"/>; anything short of a full, clean decode is refused rather than shown half grey.</summary>
    private static SKBitmap Decode(SKCodec codec, StoppableReadStream input, SKSizeI size, CancellationToken cancellationToken)
    {
        var alpha = codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, alpha, SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap();
        try
        {
            if (!bitmap.TryAllocPixels(info))
            {
                throw new ImageTooLargeException($"No memory for a {size.Width}x{size.Height} decode.");
            }

            input.ReadPastEnd = false;
            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (input.Stopped)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (result != SKCodecResult.Success)
            {
                throw new ImageDecodingException($"The image could not be decoded ({result}).");
            }

            // Skia's JPEG codec shows a truncated file as far as it goes and may still answer Success (a progressive
            // JPEG's later scans, for one); libjpeg stops at the EOI marker, so asking for bytes past the end means it
            // never found it. (The WebP codec reads to the end of any file; libpng and libwebp report truncation.)
            if (input.ReadPastEnd && codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
            {
                throw new ImageDecodingException("The image data ends early (IncompleteInput).");
            }

            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }
}
