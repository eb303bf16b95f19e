using System.Buffers.Binary;
using System.Text;

namespace Talko.Core.Media.Recording;

/// <summary>The two header packets of an Ogg Opus stream (RFC 7845 section 5).</summary>
internal static class OpusHeaderPackets
{
    private const string Vendor = "Talko";

    /// <summary>OpusHead: version 1, mono, the pre-skip in 48 kHz samples, the original rate (informational), gain 0, mapping family 0.</summary>
    public static byte[] Head(int preSkip, int inputSampleRate)
    {
        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), (ushort)preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), (uint)inputSampleRate);
        BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(16), 0);
        head[18] = 0;
        return head;
    }

    /// <summary>OpusTags: the vendor string and no user comments.</summary>
    public static byte[] Tags()
    {
        var vendor = Encoding.UTF8.GetBytes(Vendor);
        var tags = new byte[8 + 4 + vendor.Length + 4];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
        vendor.CopyTo(tags.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(12 + vendor.Length), 0);
        return tags;
    }
}
