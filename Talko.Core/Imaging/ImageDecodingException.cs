namespace Talko.Core.Imaging;

/// <summary>
/// The image is malformed, exceeds a configured limit, or uses a feature this decoder does not implement.
/// It is the only exception the decoders and encoder let out for bad input; callers turn it into "no thumbnail".
/// </summary>
public class ImageDecodingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The image is well formed as far as read, but uses a coding feature not implemented here (e.g. progressive JPEG).</summary>
public sealed class UnsupportedImageException(string message) : ImageDecodingException(message);

/// <summary>The image header declares more than a configured limit allows; nothing large was allocated.</summary>
public sealed class ImageTooLargeException(string message) : ImageDecodingException(message);
