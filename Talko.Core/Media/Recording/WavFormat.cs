using System.Buffers.Binary;

namespace Talko.Core.Media.Recording;

/// <summary>The canonical 44-byte RIFF/WAVE header for 16-bit PCM.</summary>
public static class WavFormat
{
    public const int HeaderLength = 44;

    public static void WriteHeader(Span<byte> destination, int sampleRate, short channels, long dataLength)
    {
        const short bitsPerSample = 16;
        var blockAlign = (short)(channels * bitsPerSample / 8);

        // RIFF sizes are 32-bit; a file past 4 GiB (74 hours of 8 kHz mono) is capped, not wrapped.
        var data = (uint)Math.Min(dataLength, uint.MaxValue - 36);
        "RIFF"u8.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], 36 + data);
        "WAVE"u8.CopyTo(destination[8..]);
        "fmt "u8.CopyTo(destination[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(destination[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(destination[22..], channels);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], sampleRate * blockAlign);
        BinaryPrimitives.WriteInt16LittleEndian(destination[32..], blockAlign);
        BinaryPrimitives.WriteInt16LittleEndian(destination[34..], bitsPerSample);
        "data"u8.CopyTo(destination[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], data);
    }
}
