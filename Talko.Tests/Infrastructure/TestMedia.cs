using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Talko.Tests.Infrastructure;

/// <summary>Small, structurally valid media files built byte by byte, for upload and probing tests.</summary>
public static class TestMedia
{
    /// <summary>A PNG signature, IHDR, an (empty-content) IDAT and IEND: enough structure for sniffing and size probing.</summary>
    public static byte[] Png(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A JPEG with an Exif APP1 segment whose IFD1 holds <paramref name="thumbnail"/>, then a baseline frame header.</summary>
    public static byte[] JpegWithExifThumbnail(int width, int height, byte[] thumbnail)
    {
        using var tiff = new MemoryStream();
        var w = new BinaryWriter(tiff);
        w.Write("II"u8);
        w.Write((ushort)42);
        w.Write(8u);      // TIFF header, IFD0 at 8
        w.Write((ushort)0);
        w.Write(26u);                          // IFD0: no entries, IFD1 at 14... fixed below
        tiff.Position = 10;
        w.Write(14u);
        tiff.Position = 14;
        w.Write((ushort)2);                                        // IFD1: two entries
        w.Write((ushort)0x0201);
        w.Write((ushort)4);
        w.Write(1u);
        w.Write(14u + 2 + 24 + 4); // JPEGInterchangeFormat
        w.Write((ushort)0x0202);
        w.Write((ushort)4);
        w.Write(1u);
        w.Write((uint)thumbnail.Length);
        w.Write(0u);                                               // no next IFD
        w.Write(thumbnail);

        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        var app1 = Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff.ToArray()).ToArray();
        WriteSegment(jpeg, 0xE1, app1);
        var sof = new byte[] { 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0 };
        WriteSegment(jpeg, 0xC0, sof);
        WriteSegment(jpeg, 0xDA, [1, 1, 0, 0, 63, 0]);
        jpeg.Write([0x00, 0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    /// <summary>The smallest JPEG our probe accepts: SOI, a frame header, EOI.</summary>
    public static byte[] Jpeg(int width, int height) => JpegWithExifThumbnail(width, height, [0xFF, 0xD8, 0xFF, 0xD9]);

    /// <summary>
    /// A mono 16-bit PCM WAV of a tone; with a whole number of cycles in it (any integer frequency over whole seconds),
    /// Chromium's fake microphone loops it seamlessly.
    /// </summary>
    public static byte[] ToneWav(double frequency, int sampleRate, int seconds)
    {
        var samples = sampleRate * seconds;
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + (samples * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1); // PCM
        writer.Write((short)1); // mono
        writer.Write(sampleRate);
        writer.Write(sampleRate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            writer.Write((short)(12000 * Math.Sin(2 * Math.PI * frequency * i / sampleRate)));
        }

        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>16-bit mono PCM at 8 kHz, silent.</summary>
    public static byte[] Wav(TimeSpan duration) => Wav(new WavShape(), (int)(duration.TotalSeconds * 8000) * 2);

    /// <summary>A WAV whose format chunk says what <paramref name="shape"/> says (true or not), with <paramref name="dataBytes"/> of silence.</summary>
    public static byte[] Wav(WavShape shape, int dataBytes, uint? declaredDataBytes = null)
    {
        using var wav = new MemoryStream();
        var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write(36 + dataBytes);
        w.Write("WAVE"u8);
        w.Write("fmt "u8);
        w.Write(16);
        w.Write(shape.Format);
        w.Write(shape.Channels);
        w.Write(shape.SampleRate);
        w.Write(shape.ByteRate ?? shape.SampleRate * shape.Channels * shape.BitsPerSample / 8);
        w.Write(shape.BlockAlign ?? (ushort)(shape.Channels * shape.BitsPerSample / 8));
        w.Write(shape.BitsPerSample);
        w.Write("data"u8);
        w.Write(declaredDataBytes ?? (uint)dataBytes);
        w.Write(new byte[dataBytes]);
        return wav.ToArray();
    }

    /// <summary>The fields of a WAV format chunk; byte rate and block align follow from the others unless given.</summary>
    public sealed record WavShape(ushort Format = 1, ushort Channels = 1, uint SampleRate = 8000, ushort BitsPerSample = 16, uint? ByteRate = null, ushort? BlockAlign = null);

    /// <summary>Ogg Opus (RFC 7845): OpusHead page, OpusTags page, one audio page whose granule ends the stream.</summary>
    public static byte[] OggOpus(TimeSpan duration, ushort preSkip = 312)
    {
        using var ogg = new MemoryStream();
        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48000);
        WritePage(ogg, 0x02, 0, 0, head);
        WritePage(ogg, 0x00, 0, 1, "OpusTags\0\0\0\0\0\0\0\0"u8.ToArray());
        WritePage(ogg, 0x04, (long)(duration.TotalSeconds * 48000) + preSkip, 2, new byte[40]);
        return ogg.ToArray();
    }

    /// <summary>An M4A skeleton: ftyp (M4A), moov with mvhd (duration) and one sound track with an mp4a sample entry.</summary>
    public static byte[] M4a(TimeSpan duration, string handler = "soun")
    {
        var mvhd = new byte[100];
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(12), 1000);
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(16), (uint)duration.TotalMilliseconds);
        var hdlr = new byte[24];
        Encoding.ASCII.GetBytes(handler).CopyTo(hdlr, 8);
        var stsd = new byte[16 + 8];
        BinaryPrimitives.WriteUInt32BigEndian(stsd.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(stsd.AsSpan(8), 16);
        "mp4a"u8.CopyTo(stsd.AsSpan(12));
        var trak = Box("trak", Box("mdia", Box("hdlr", hdlr), Box("minf", Box("stbl", Box("stsd", stsd)))));
        return Box("ftyp", "M4A \0\0\0\0M4A mp42isom"u8.ToArray())
            .Concat(Box("mdat", new byte[64]))
            .Concat(Box("moov", Box("mvhd", mvhd), trak))
            .ToArray();
    }

    private static byte[] Box(string type, params byte[][] children)
    {
        var body = children.SelectMany(c => c).ToArray();
        var box = new byte[8 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        body.CopyTo(box, 8);
        return box;
    }

    private static void WritePage(Stream ogg, byte flags, long granule, uint sequence, byte[] packet)
    {
        var page = new byte[27 + 1 + packet.Length];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), 0x1234);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), sequence);
        page[26] = 1;
        page[27] = (byte)packet.Length;
        packet.CopyTo(page, 28);
        ogg.Write(page);
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
        png.Write(crc);
    }

    private static void WriteSegment(Stream jpeg, byte marker, byte[] data)
    {
        jpeg.Write([0xFF, marker, (byte)((data.Length + 2) >> 8), (byte)(data.Length + 2)]);
        jpeg.Write(data);
    }
}
