using Talko.Core.Imaging.Jpeg;
using Talko.Core.Imaging.Png;

namespace Talko.Core.Imaging;

/// <summary>A JPEG thumbnail and the sizes involved.</summary>
public sealed record Thumbnail(byte[] Jpeg, int Width, int Height, int SourceWidth, int SourceHeight);

/// <summary>
/// Decode, box-filter down to the bounding size, orient as Exif says, encode as JPEG. Memory is bounded by
/// the options whatever the input: the decoders stream rows and the downscaler keeps only the target's sums.
/// </summary>
public sealed class Thumbnailer(ImagingOptions options)
{
    /// <summary>Makes the thumbnail, or throws <see cref="ImageDecodingException"/> (bad, unsupported or too large input).</summary>
    public Thumbnail Create(Stream image, ImageCodec codec, CancellationToken cancellationToken = default)
    {
        var shrink = new BoxDownscaler(options.ThumbnailMaxSide);
        int sourceWidth, sourceHeight, orientation = 1;
        if (codec == ImageCodec.Png)
        {
            var header = new PngDecoder(options).Decode(image, shrink, cancellationToken);
            (sourceWidth, sourceHeight) = (header.Width, header.Height);
        }
        else
        {
            var info = new JpegDecoder(options).Decode(image, shrink, options.ThumbnailMaxSide, cancellationToken);
            (sourceWidth, sourceHeight, orientation) = (info.Width, info.Height, info.Orientation);
        }

        var small = Orientation.Apply(shrink.ToImage(), orientation);
        return new Thumbnail(JpegEncoder.Encode(small, options.JpegQuality), small.Width, small.Height, sourceWidth, sourceHeight);
    }
}
