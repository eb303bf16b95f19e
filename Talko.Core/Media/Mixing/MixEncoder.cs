using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Mixing;

/// <summary>
/// Encodes one stream of 48 kHz mix frames (960 samples) for listeners of one (codec, bitrate): G.711 through a
/// 48 -> 8 kHz resampler, Opus through its own encoder. Used for the shared mix and for each talker's mix-minus; the
/// state (encoder, resampler history) belongs to the stream, so one instance per stream. Encode allocates nothing.
/// </summary>
public sealed class MixEncoder : IDisposable
{
    private const int Frame = OpusFormat.FrameSamples;

    /// <summary>A 20 ms frame at 8 kHz: what a narrowband mix (ADR 0921) hands a G.711 encoder directly.</summary>
    public const int NarrowFrame = Frame * G711.SampleRate / OpusFormat.SampleRate;

    private readonly IOpusFrameEncoder? opus;
    private readonly Resampler? down;
    private readonly short[]? narrow;
    private readonly byte[] output;

    public MixEncoder(SharedMixKey key, OpusCodecs codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        Key = key;
        if (key.Codec == AudioCodec.Opus)
        {
            opus = codecs.CreateEncoder(key.Bitrate);
            output = new byte[OpusFormat.MaxPacketBytes];
        }
        else
        {
            down = Resampler.Create(OpusFormat.SampleRate, G711.SampleRate, Frame);
            narrow = new short[Frame * G711.SampleRate / OpusFormat.SampleRate];
            output = new byte[narrow.Length];
        }
    }

    public SharedMixKey Key { get; }

    /// <summary>Encodes one 960-sample frame; the result is valid until the next call.</summary>
    public ReadOnlySpan<byte> Encode(ReadOnlySpan<short> mix)
    {
        if (mix.Length == NarrowFrame && opus is null)
        {
            // Narrowband mix: already at G.711's rate. The resampler's history is stale once the mix goes wide again.
            down!.Reset();
            G711.Encode(Key.Codec, mix, output);
            return output;
        }

        if (mix.Length != Frame)
        {
            throw new ArgumentException($"A mix frame is {Frame} samples at 48 kHz (or {NarrowFrame} at 8 kHz for G.711).", nameof(mix));
        }

        if (opus is not null)
        {
            var length = opus.Encode(mix, output);
            return output.AsSpan(0, length);
        }

        down!.Process(mix, narrow);
        G711.Encode(Key.Codec, narrow, output);
        return output;
    }

    public void Dispose() => opus?.Dispose();
}
