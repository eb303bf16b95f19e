using System.Buffers.Binary;

namespace Talko.Core.Conversations.Media;

/// <summary>
/// The first 16 bytes of a WAV 'fmt ' chunk (the WAVEFORMAT fields), and whether they describe audio a
/// voice clip can be: a coding whose frames are fixed-size samples, a plausible channel count and rate,
/// and a byte rate and block size that agree with them (so neither can make up a duration).
/// </summary>
public sealed record WavSampleFormat(ushort Coding, ushort Channels, uint SampleRate, uint ByteRate, ushort BlockAlign, ushort BitsPerSample)
{
    public const ushort Pcm = 1;
    public const ushort IeeeFloat = 3;
    public const ushort ALaw = 6;
    public const ushort MuLaw = 7;
    public const ushort Extensible = 0xFFFE;

    /// <summary>Far beyond any voice recorder (7.1 surround is 8), small enough that nothing absurd passes.</summary>
    public const int MaxChannels = 8;

    /// <summary>Telephone audio goes down to 8 kHz; nothing real records a voice below 1 kHz.</summary>
    public const uint MinSampleRate = 1_000;

    /// <summary>The highest rate studio equipment uses.</summary>
    public const uint MaxSampleRate = 384_000;

    public static WavSampleFormat Read(ReadOnlySpan<byte> fmt) => new(
        BinaryPrimitives.ReadUInt16LittleEndian(fmt),
        BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]),
        BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(fmt[8..]),
        BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]),
        BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]));

    /// <summary>Why this format is impossible for a voice clip, or null when it is fine.</summary>
    public string? Problem()
    {
        int[]? sampleSizes = Coding switch
        {
            Pcm or Extensible => [8, 16, 24, 32],
            IeeeFloat => [32, 64],
            ALaw or MuLaw => [8],
            _ => null,
        };
        if (sampleSizes is null)
        {
            return $"The WAV coding 0x{Coding:X4} is not accepted; use PCM, IEEE float, A-law or µ-law.";
        }

        if (Channels is 0 or > MaxChannels)
        {
            return $"A WAV voice clip has 1 to {MaxChannels} channels; this one says {Channels}.";
        }

        if (SampleRate is < MinSampleRate or > MaxSampleRate)
        {
            return $"A WAV voice clip's sample rate is {MinSampleRate} to {MaxSampleRate} Hz; this one says {SampleRate}.";
        }

        if (!sampleSizes.Contains(BitsPerSample))
        {
            return $"{BitsPerSample}-bit samples do not exist in this WAV coding.";
        }

        var frame = Channels * BitsPerSample / 8;
        if (BlockAlign != frame || ByteRate != (long)SampleRate * frame)
        {
            return $"The WAV format chunk contradicts itself: {Channels} channels of {BitsPerSample}-bit samples at {SampleRate} Hz "
                + $"take {frame} bytes a frame and {(long)SampleRate * frame} bytes a second, not {BlockAlign} and {ByteRate}.";
        }

        return null;
    }
}
