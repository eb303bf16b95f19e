namespace Talko.Core.Imaging;

/// <summary>
/// The image is malformed, exceeds a configured limit, or is not one of the codings thumbnailed here. It is the
/// only exception the thumbnailer lets out for bad input; callers turn it into "no thumbnail".
/// </summary>
public class ImageDecodingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The content is an image, but not of the coding the upload was recognised as, or one not thumbnailed here.</summary>
public sealed class UnsupportedImageException(string message) : ImageDecodingException(message);

/// <summary>The image header declares more than a configured limit allows; nothing large was allocated.</summary>
public sealed class ImageTooLargeException(string message) : ImageDecodingException(message);
