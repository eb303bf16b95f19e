using System.Buffers.Binary;
using System.Text;

namespace Talko.Core.Conversations.Media;

/// <summary>
/// Checks a stored photo's structure and reads its pixel size (JPEG, PNG) and any thumbnail its camera
/// embedded (JPEG EXIF). Reads only the leading <see cref="HeadBytes"/>, where that metadata lives.
/// </summary>
public static class ImageProbe
{
    /// <summary>JPEG APPn segments are at most 64 KiB each; metadata and frame header sit well inside this.</summary>
    public const int HeadBytes = 256 * 1024;

    public static async Task<ImageProbeResult> ProbeAsync(Stream seekable, MediaFormat format, CancellationToken cancellationToken = default)
    {
        var head = new byte[(int)Math.Min(seekable.Length, HeadBytes)];
        seekable.Position = 0;
        await seekable.ReadExactlyAsync(head, cancellationToken);
        return format switch
        {
            MediaFormat.Jpeg => ProbeJpeg(head),
            MediaFormat.Png => ProbePng(head),
            MediaFormat.Heic => ProbeHeic(head),
            MediaFormat.Webp => ProbeWebp(head),
            _ => ImageProbeResult.Invalid("The content is not a JPEG, PNG, WebP or HEIC image."),
        };
    }

    /// <summary>PNG: the IHDR chunk comes first and holds width and height (RFC 2083 section 4.1.1).</summary>
    private static ImageProbeResult ProbePng(byte[] head)
    {
        if (head.Length < 24 || Encoding.Latin1.GetString(head, 12, 4) != "IHDR")
        {
            return ImageProbeResult.Invalid("The PNG image has no header chunk.");
        }

        var width = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(16));
        var height = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(20));
        return width > 0 && height > 0 ? new ImageProbeResult(width, height, null, null) : ImageProbeResult.Invalid("The PNG image has no pixels.");
    }

    /// <summary>
    /// WebP (RFC 9649): the first chunk after the RIFF header is VP8X (extended: canvas size), VP8L (lossless:
    /// 14-bit sizes after the 0x2F signature) or VP8 (lossy: 14-bit sizes after the key frame's start code).
    /// </summary>
    private static ImageProbeResult ProbeWebp(byte[] head)
    {
        if (head.Length < 30)
        {
            return ImageProbeResult.Invalid("The WebP image is too short to hold a header.");
        }

        var chunk = Encoding.Latin1.GetString(head, 12, 4);
        var payload = head.AsSpan(20);
        (int Width, int Height)? size = chunk switch
        {
            "VP8X" => (1 + (payload[4] | (payload[5] << 8) | (payload[6] << 16)), 1 + (payload[7] | (payload[8] << 8) | (payload[9] << 16))),
            "VP8L" when payload[0] == 0x2F => ReadLosslessSize(BinaryPrimitives.ReadUInt32LittleEndian(payload[1..])),
            "VP8 " when payload[3] == 0x9D && payload[4] == 0x01 && payload[5] == 0x2A =>
                (BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]) & 0x3FFF),
            _ => null,
        };

        return size is { Width: > 0, Height: > 0 } known
            ? new ImageProbeResult(known.Width, known.Height, null, null)
            : ImageProbeResult.Invalid("The WebP image has no VP8, VP8L or VP8X header.");

        static (int, int) ReadLosslessSize(uint bits) => (1 + (int)(bits & 0x3FFF), 1 + (int)((bits >> 14) & 0x3FFF));
    }

    /// <summary>HEIF (ISO/IEC 23008-12) keeps its item metadata in a top-level 'meta' box.</summary>
    private static ImageProbeResult ProbeHeic(byte[] head)
    {
        var position = 0L;
        while (position + 8 <= head.Length)
        {
            var size = (long)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan((int)position));
            if (Encoding.Latin1.GetString(head, (int)position + 4, 4) == "meta")
            {
                return new ImageProbeResult(null, null, null, null);
            }

            if (size < 8)
            {
                break;
            }

            position += size;
        }

        return ImageProbeResult.Invalid("The HEIC image has no metadata box.");
    }

    /// <summary>
    /// JPEG markers (ITU-T T.81 annex B): the SOFn frame header gives the size; an APP1 Exif segment may
    /// hold a ready-made thumbnail in IFD1 (JEITA CP-3451 section 4.5.5, tags 0x0201/0x0202).
    /// </summary>
    private static ImageProbeResult ProbeJpeg(byte[] head)
    {
        var offset = 2;
        int? width = null, height = null;
        ReadOnlyMemory<byte>? thumbnail = null;
        while (offset + 4 <= head.Length)
        {
            if (head[offset] != 0xFF)
            {
                return ImageProbeResult.Invalid("The JPEG image has a broken marker sequence.");
            }

            var marker = head[offset + 1];
            if (marker == 0xFF)
            {
                offset++; // fill byte
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                offset += 2;
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(offset + 2));
            if (length < 2)
            {
                return ImageProbeResult.Invalid("The JPEG image has a segment of invalid length.");
            }

            var segment = offset + 4;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && segment + 5 <= head.Length)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(segment + 1));
                width = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(segment + 3));
                break;
            }

            if (marker == 0xE1 && thumbnail is null && segment + length - 2 <= head.Length)
            {
                thumbnail = ExifThumbnail(head.AsMemory(segment, length - 2));
            }

            if (marker == 0xDA)
            {
                break;
            }

            offset = segment + length - 2;
        }

        return width is > 0 && height is > 0
            ? new ImageProbeResult(width, height, thumbnail, null)
            : ImageProbeResult.Invalid("The JPEG image has no frame header.");
    }

    private static ReadOnlyMemory<byte>? ExifThumbnail(ReadOnlyMemory<byte> app1)
    {
        var span = app1.Span;
        if (span.Length < 14 || !span.StartsWith("Exif\0\0"u8))
        {
            return null;
        }

        var tiff = app1[6..];
        var t = tiff.Span;
        var littleEndian = t[0] == 'I' && t[1] == 'I';
        if (!littleEndian && !(t[0] == 'M' && t[1] == 'M'))
        {
            return null;
        }

        var ifd0 = (int)U32(t, littleEndian, 4);
        if (ifd0 <= 0 || ifd0 + 2 > t.Length)
        {
            return null;
        }

        var ifd1 = (int)U32(t, littleEndian, ifd0 + 2 + (U16(t, littleEndian, ifd0) * 12));
        if (ifd1 <= 0 || ifd1 + 2 > t.Length)
        {
            return null;
        }

        uint start = 0, length = 0;
        for (var i = 0; i < U16(t, littleEndian, ifd1); i++)
        {
            var entry = ifd1 + 2 + (i * 12);
            switch (U16(t, littleEndian, entry))
            {
                case 0x0201:
                    start = U32(t, littleEndian, entry + 8);
                    break;
                case 0x0202:
                    length = U32(t, littleEndian, entry + 8);
                    break;
            }
        }

        if (length < 4 || start == 0 || start + length > t.Length || t[(int)start] != 0xFF || t[(int)start + 1] != 0xD8)
        {
            return null;
        }

        return tiff.Slice((int)start, (int)length);
    }

    private static uint U32(ReadOnlySpan<byte> t, bool littleEndian, int at) =>
        at >= 0 && at + 4 <= t.Length ? (littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(t[at..]) : BinaryPrimitives.ReadUInt32BigEndian(t[at..])) : 0;

    private static ushort U16(ReadOnlySpan<byte> t, bool littleEndian, int at) =>
        at >= 0 && at + 2 <= t.Length ? (littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(t[at..]) : BinaryPrimitives.ReadUInt16BigEndian(t[at..])) : (ushort)0;
}

/// <summary>
/// <c>EmbeddedThumbnail</c>: A JPEG thumbnail the camera stored in the file, if any.<br/>
/// </summary>
public sealed record ImageProbeResult(int? Width, int? Height, ReadOnlyMemory<byte>? EmbeddedThumbnail, string? Error)
{
    public bool IsValid => Error is null;

    public static ImageProbeResult Invalid(string error) => new(null, null, null, error);
}
