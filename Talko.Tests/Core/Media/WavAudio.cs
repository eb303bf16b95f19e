using System.Buffers.Binary;
using System.Text;

namespace Talko.Tests.Core.Media;

/// <summary>16-bit PCM read from a WAV file written by another program (first channel only).</summary>
internal sealed record WavAudio(int SampleRate, short[] Samples)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);

    /// <summary>
    /// Walks the RIFF chunks for "fmt " and "data". A data size of 0 or past the end of the file is read to the end:
    /// a writer that is still running (or was killed) has not patched the header yet.
    /// </summary>
    public static WavAudio Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || Encoding.ASCII.GetString(bytes, 0, 4) != "RIFF" || Encoding.ASCII.GetString(bytes, 8, 4) != "WAVE")
        {
            throw new InvalidDataException($"{path} is not a RIFF/WAVE file ({bytes.Length} bytes)");
        }

        int sampleRate = 0, channels = 0, bits = 0;
        var position = 12;
        while (position + 8 <= bytes.Length)
        {
            var id = Encoding.ASCII.GetString(bytes, position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 4));
            var body = position + 8;
            if (id == "fmt ")
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + 2));
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(body + 4));
                bits = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + 14));
            }
            else if (id == "data")
            {
                if (bits != 16 || channels < 1)
                {
                    throw new InvalidDataException($"{path}: only 16-bit PCM is read (bits {bits}, channels {channels})");
                }

                var available = bytes.Length - body;
                var length = size == 0 || size > available ? available : (int)size;
                var frames = length / (2 * channels);
                var samples = new short[frames];
                for (var i = 0; i < frames; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + (i * 2 * channels)));
                }

                return new WavAudio(sampleRate, samples);
            }

            position = body + (int)Math.Min(size + (size & 1), int.MaxValue - body);
        }

        return new WavAudio(sampleRate == 0 ? 8000 : sampleRate, []);
    }
}
