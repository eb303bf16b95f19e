using Talko.Core.Media;
using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Mixing;

/// <summary>
/// A mixer participant that plays a tone at 48 kHz (when <see cref="Speaking"/> says so) and keeps what it hears, decoded:
/// 8 kHz samples for G.711, 48 kHz for Opus (<see cref="HeardRate"/>). With <see cref="Narrowband"/> a G.711 participant
/// also reads 8 kHz frames (the mixer then runs narrowband, ADR 0921); its tone stays continuous across a switch.
/// </summary>
internal sealed class FakeParticipant(string id, AudioCodec codec, double frequency, double amplitude = 8000) : IMixerParticipant
{
    private static readonly OpusCodecs Codecs = new(new OpusOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    private readonly IOpusFrameDecoder? decoder = codec == AudioCodec.Opus ? Codecs.CreateDecoder() : null;
    private long samplesRead;
    private long framesRead;

    public string Id { get; } = id;

    public AudioCodec Codec { get; } = codec;

    public SharedMixKey Encoding { get; } = new(codec, codec == AudioCodec.Opus ? 32000 : 0);

    public int HeardRate => Codec == AudioCodec.Opus ? OpusFormat.SampleRate : G711.SampleRate;

    public double Frequency { get; } = frequency;

    /// <summary>Reads 160-sample 8 kHz frames when the mixer asks for them (G.711 only).</summary>
    public bool Narrowband { get; init; }

    bool IMixerParticipant.MixesNarrowband => Narrowband && Codec != AudioCodec.Opus;

    /// <summary>Frame number -> whether the participant sends its tone in that frame.</summary>
    public Func<long, bool> Speaking { get; set; } = _ => true;

    /// <summary>Overrides the tone with fixed sample values (for saturation tests).</summary>
    public short? Constant { get; set; }

    public List<short> Heard { get; } = [];

    /// <summary>Frame number -> what <see cref="IMixerParticipant.PeekFrame"/> says (an RFC 6464 level, silence); null: unknown.</summary>
    public Func<long, FrameOutlook>? Outlook { get; set; }

    /// <summary>Frames the mixer read (decoded) and frames it passed over undecoded.</summary>
    public int Reads { get; private set; }

    public int Skips { get; private set; }

    public FrameOutlook PeekFrame() => Outlook?.Invoke(framesRead) ?? FrameOutlook.Unknown;

    public void SkipFrame(Span<short> scratch)
    {
        Skips++;
        framesRead++;
        samplesRead += OpusFormat.FrameSamples;
    }

    public int FramesHeard { get; private set; }

    public bool ReadFrame(Span<short> frame)
    {
        // samplesRead counts 48 kHz samples; a narrowband frame covers as much time in fewer samples.
        var rate = frame.Length == OpusFormat.FrameSamples ? OpusFormat.SampleRate : G711.SampleRate;
        var step = OpusFormat.FrameSamples;
        Reads++;
        var speaking = Speaking(framesRead++);
        if (!speaking)
        {
            samplesRead += step;
            frame.Clear();
            return false;
        }

        if (Constant is { } value)
        {
            frame.Fill(value);
        }
        else
        {
            AudioSignals.Tone(frame, Frequency, amplitude, samplesRead * rate / OpusFormat.SampleRate, rate);
        }

        samplesRead += step;
        return true;
    }

    public void WriteFrame(ReadOnlySpan<byte> encoded)
    {
        if (decoder is not null)
        {
            var wide = new short[OpusFormat.FrameSamples];
            Assert.Equal(wide.Length, decoder.Decode(encoded, wide));
            Heard.AddRange(wide);
            FramesHeard++;
            return;
        }

        var pcm = new short[encoded.Length];
        G711.Decode(Codec, encoded, pcm);
        Heard.AddRange(pcm);
        FramesHeard++;
    }
}
