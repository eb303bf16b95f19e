using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Mixing;

/// <summary>
/// The full 48 kHz mix encoded once per tick for each (codec, bitrate) that some listener needs, shared by every
/// participant who is not talking (talkers get their own mix-minus): G.711 through one 48 -> 8 kHz resampler, Opus through
/// one encoder per bitrate. Each encoding runs on every tick while it has users, so the encoder and resampler state
/// stays continuous for the listeners that switch onto it. <see cref="Acquire"/> and <see cref="Release"/> happen on
/// joins and leaves; <see cref="Encode"/> on the tick allocates nothing. Not thread-safe: the mixer calls it under its lock.
/// </summary>
public sealed class SharedMixEncoders : IDisposable
{
    private const int Frame = OpusFormat.FrameSamples;

    private readonly OpusCodecs codecs;
    private readonly List<Encoding> encodings = [];

    public SharedMixEncoders(OpusCodecs codecs) => this.codecs = codecs;

    /// <summary>Encodings currently kept (one per distinct codec and bitrate in use).</summary>
    public int Count => encodings.Count;

    /// <summary>A listener needs the shared mix in <paramref name="codec"/> (at <paramref name="bitrate"/> for Opus; ignored for G.711).</summary>
    public SharedMixKey Acquire(AudioCodec codec, int bitrate)
    {
        var key = new SharedMixKey(codec, codec == AudioCodec.Opus ? bitrate : 0);
        var encoding = encodings.Find(e => e.Key == key);
        if (encoding is null)
        {
            encoding = new Encoding(key, codecs);
            encodings.Add(encoding);
        }

        encoding.Users++;
        return key;
    }

    /// <summary>A listener no longer needs <paramref name="key"/>; the last one frees its encoder.</summary>
    public void Release(SharedMixKey key)
    {
        var index = encodings.FindIndex(e => e.Key == key);
        if (index >= 0 && --encodings[index].Users == 0)
        {
            encodings[index].Dispose();
            encodings.RemoveAt(index);
        }
    }

    /// <summary>Encodes this tick's full mix (960 samples, or 160 at 8 kHz for G.711 only) once per kept encoding.</summary>
    public void Encode(ReadOnlySpan<short> fullMix)
    {
        if (fullMix.Length != Frame && fullMix.Length != MixEncoder.NarrowFrame)
        {
            throw new ArgumentException($"The shared mix is one {Frame}-sample frame at 48 kHz (or 160 at 8 kHz).", nameof(fullMix));
        }

        foreach (var encoding in encodings)
        {
            encoding.Run(fullMix);
        }
    }

    /// <summary>This tick's encoded mix for <paramref name="key"/> (valid until the next <see cref="Encode"/>).</summary>
    public ReadOnlySpan<byte> Encoded(SharedMixKey key)
    {
        foreach (var encoding in encodings)
        {
            if (encoding.Key == key)
            {
                return encoding.Output.AsSpan(0, encoding.Length);
            }
        }

        throw new InvalidOperationException($"No listener acquired the shared mix {key}.");
    }

    public void Dispose()
    {
        foreach (var encoding in encodings)
        {
            encoding.Dispose();
        }

        encodings.Clear();
    }

    private sealed class Encoding(SharedMixKey key, OpusCodecs codecs) : IDisposable
    {
        private readonly MixEncoder encoder = new(key, codecs);

        public SharedMixKey Key { get; } = key;

        public int Users { get; set; }

        public byte[] Output { get; } = new byte[OpusFormat.MaxPacketBytes];

        public int Length { get; private set; }

        public void Run(ReadOnlySpan<short> fullMix)
        {
            var encoded = encoder.Encode(fullMix);
            encoded.CopyTo(Output);
            Length = encoded.Length;
        }

        public void Dispose() => encoder.Dispose();
    }
}

/// <summary>Which shared encoding a listener takes: the codec, and for Opus the bitrate (0 for G.711).</summary>
public readonly record struct SharedMixKey(AudioCodec Codec, int Bitrate);
