namespace Talko.Core.Imaging;

/// <summary>The still-image codings Talko decodes itself.</summary>
public enum ImageCodec
{
    Png,
    Jpeg,
}
