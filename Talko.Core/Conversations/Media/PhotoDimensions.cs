using Talko.Core.Imaging;

namespace Talko.Core.Conversations.Media;

/// <summary>
/// The width and height stored for a photo. A header can claim any size, so it is believed only when the
/// image was decoded (the decoder produced that many rows of that many pixels), or when the claim is within
/// the decoding limits (<see cref="ImagingOptions.MaxDimension"/>, <see cref="ImagingOptions.MaxPixels"/>) for
/// formats or codings Talko does not decode. Anything else is stored without dimensions.
/// </summary>
public static class PhotoDimensions
{
    public static (int? Width, int? Height) Trusted(GeneratedThumbnail? thumbnail, ImageProbeResult probe, ImagingOptions limits)
    {
        if (thumbnail is { DecodedWidth: { } decodedWidth, DecodedHeight: { } decodedHeight })
        {
            return (decodedWidth, decodedHeight);
        }

        return probe is { Width: { } width, Height: { } height } && WithinLimits(width, height, limits) ? (width, height) : (null, null);
    }

    private static bool WithinLimits(int width, int height, ImagingOptions limits) =>
        width > 0 && height > 0 && width <= limits.MaxDimension && height <= limits.MaxDimension && (long)width * height <= limits.MaxPixels;
}
