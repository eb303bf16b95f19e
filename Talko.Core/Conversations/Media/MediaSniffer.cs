using System.Buffers.Binary;
using System.Text;

namespace Talko.Core.Conversations.Media;

/// <summary>
/// Recognises a format from the first bytes of the content. <see cref="HeaderLength"/> bytes are
/// enough for every format here; fewer (a tiny file) are judged on what there is.
/// </summary>
public static class MediaSniffer
{
    /// <summary>How many leading bytes <see cref="Detect"/> wants to see.</summary>
    public const int HeaderLength = 64;

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>ISO/IEC 23008-12 brands of HEIF files coded with HEVC.</summary>
    private static readonly HashSet<string> HeicBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"];

    /// <summary>Brands of MP4-family audio files (ISO/IEC 14496-12/-14; Apple's M4A/M4B).</summary>
    private static readonly HashSet<string> Mp4AudioBrands = ["M4A ", "M4B ", "mp41", "mp42", "isom", "iso2", "iso5", "iso6", "dash", "3gp4", "3gp5", "3gp6", "3g2a"];

    public static MediaFormat Detect(ReadOnlySpan<byte> header)
    {
        // JPEG: SOI then a marker (ITU-T T.81 B.1.1.3).
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF)
        {
            return MediaFormat.Jpeg;
        }

        // PNG: the eight-byte signature (RFC 2083 section 3.1).
        if (header.StartsWith(PngSignature))
        {
            return MediaFormat.Png;
        }

        // WebP: RIFF container of form WEBP (RFC 9649 section 2.5).
        if (header.Length >= 12 && Ascii(header, 0, 4) == "RIFF" && Ascii(header, 8, 4) == "WEBP")
        {
            return MediaFormat.Webp;
        }

        // WAV: RIFF container of form WAVE.
        if (header.Length >= 12 && Ascii(header, 0, 4) == "RIFF" && Ascii(header, 8, 4) == "WAVE")
        {
            return MediaFormat.Wav;
        }

        // Ogg page (RFC 3533 section 6) whose first packet is an Opus identification header (RFC 7845 section 5.1).
        if (header.Length >= 36 && Ascii(header, 0, 4) == "OggS" && header[26] == 1 && Ascii(header, 28, 8) == "OpusHead")
        {
            return MediaFormat.OggOpus;
        }

        if (header.Length >= 16 && Ascii(header, 4, 4) == "ftyp")
        {
            return DetectIsoBmff(header);
        }

        return MediaFormat.Unknown;
    }

    /// <summary>An ISO base media file: the ftyp box's major and compatible brands say what it holds.</summary>
    private static MediaFormat DetectIsoBmff(ReadOnlySpan<byte> header)
    {
        var boxSize = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(header), (uint)header.Length);
        var brands = new List<string> { Ascii(header, 8, 4) };
        for (var offset = 16; offset + 4 <= boxSize; offset += 4)
        {
            brands.Add(Ascii(header, offset, 4));
        }

        if (brands.Any(HeicBrands.Contains) || (brands[0] == "mif1" && brands.Contains("heic")))
        {
            return MediaFormat.Heic;
        }

        return brands.Any(Mp4AudioBrands.Contains) ? MediaFormat.M4a : MediaFormat.Unknown;
    }

    private static string Ascii(ReadOnlySpan<byte> bytes, int offset, int length) =>
        offset + length <= bytes.Length ? Encoding.Latin1.GetString(bytes.Slice(offset, length)) : string.Empty;
}
