using Talko.Core.Media;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Mixing;

/// <summary>The 48 kHz mix (ADR 0810, 0811): wideband between Opus listeners, band-limited for G.711 ones.</summary>
public class ConferenceMixerWidebandTests
{
    [Fact]
    public void ASixKilohertzToneReachesOpusListenersAndIsBandLimitedForG711()
    {
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions());
        var speaker = new FakeParticipant("speaker", AudioCodec.Opus, 6000);
        var opus = new FakeParticipant("opus", AudioCodec.Opus, 0) { Speaking = _ => false };
        var pcmu = new FakeParticipant("pcmu", AudioCodec.Pcmu, 0) { Speaking = _ => false };
        mixer.Add(speaker);
        mixer.Add(opus);
        mixer.Add(pcmu);
        for (var tick = 0; tick < 50; tick++)
        {
            mixer.Tick();
        }

        // Skip the first 10 frames (fade-in, encoder start-up); the tone was sent at amplitude 8000.
        var wide = opus.Heard.ToArray().AsSpan(10 * OpusFormat.FrameSamples);
        Assert.True(AudioSignals.Amplitude(wide, 6000, OpusFormat.SampleRate) > 4000, $"the Opus listener hears 6 kHz at {AudioSignals.Amplitude(wide, 6000, OpusFormat.SampleRate):F0}");
        var narrow = pcmu.Heard.ToArray().AsSpan(10 * 160);
        Assert.True(AudioSignals.Rms(narrow) < 300, $"6 kHz is above G.711's band, yet the PCMU listener hears RMS {AudioSignals.Rms(narrow):F0}");

        // The speaker gets its own mix-minus: it does not hear itself.
        var own = speaker.Heard.ToArray().AsSpan(10 * OpusFormat.FrameSamples);
        Assert.True(AudioSignals.Amplitude(own, 6000, OpusFormat.SampleRate) < 300);
    }

    [Fact]
    public void G711AndOpusParticipantsHearEachOther()
    {
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions());
        var phone = new FakeParticipant("phone", AudioCodec.Pcma, 440);
        var app = new FakeParticipant("app", AudioCodec.Opus, 1000);
        mixer.Add(phone);
        mixer.Add(app);
        for (var tick = 0; tick < 50; tick++)
        {
            mixer.Tick();
        }

        var phoneHeard = phone.Heard.ToArray().AsSpan(10 * 160);
        var appHeard = app.Heard.ToArray().AsSpan(10 * OpusFormat.FrameSamples);
        Assert.InRange(AudioSignals.Amplitude(phoneHeard, 1000), 6000, 10000);
        Assert.True(AudioSignals.Amplitude(phoneHeard, 440) < 300);
        Assert.InRange(AudioSignals.Amplitude(appHeard, 440, OpusFormat.SampleRate), 5000, 10000);
        Assert.True(AudioSignals.Amplitude(appHeard, 1000, OpusFormat.SampleRate) < 500);
    }

    [Fact]
    public void FaintNoiseNeitherContributesNorCostsAMixMinus()
    {
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions());
        var speaker = new FakeParticipant("speaker", AudioCodec.Pcmu, 440);

        // -60 dBov: below the talker detector's stop threshold (-48 dBov).
        var hiss = new FakeParticipant("hiss", AudioCodec.Pcmu, 3000, amplitude: 40);
        var listener = new FakeParticipant("listener", AudioCodec.Pcmu, 0) { Speaking = _ => false };
        mixer.Add(speaker);
        mixer.Add(hiss);
        mixer.Add(listener);
        for (var tick = 0; tick < 30; tick++)
        {
            mixer.Tick();
        }

        // The listener (sharing the full mix) and the hissing one hear the same frames: the hiss is not in the mix.
        Assert.Equal(listener.Heard, hiss.Heard);
        Assert.True(AudioSignals.Amplitude(listener.Heard.ToArray().AsSpan(320), 440) > 7000);
    }

    [Fact]
    public void TicksAllocateNothingWithG711AndOpusParticipants()
    {
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions());
        var participants = new[]
        {
            new QuietParticipant("a", new SharedMixKey(AudioCodec.Opus, 32000), 500),
            new QuietParticipant("b", new SharedMixKey(AudioCodec.Opus, 24000), 0),
            new QuietParticipant("c", new SharedMixKey(AudioCodec.Pcmu, 0), 900),
            new QuietParticipant("d", new SharedMixKey(AudioCodec.Pcma, 0), 0),
        };
        foreach (var participant in participants)
        {
            mixer.Add(participant);
        }

        for (var tick = 0; tick < 20; tick++)
        {
            mixer.Tick();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var tick = 0; tick < 100; tick++)
        {
            mixer.Tick();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.All(participants, p => Assert.Equal(120, p.Frames));
    }

    /// <summary>A participant that allocates nothing: a precomputed tone in, a frame count out.</summary>
    private sealed class QuietParticipant(string id, SharedMixKey encoding, double frequency) : IMixerParticipant
    {
        private readonly short[] tone = MakeTone(frequency);

        public string Id { get; } = id;

        public SharedMixKey Encoding { get; } = encoding;

        public int Frames { get; private set; }

        public bool ReadFrame(Span<short> frame)
        {
            tone.CopyTo(frame);
            return frequency > 0;
        }

        public void WriteFrame(ReadOnlySpan<byte> encoded) => Frames++;

        private static short[] MakeTone(double frequency)
        {
            var frame = new short[OpusFormat.FrameSamples];
            if (frequency > 0)
            {
                AudioSignals.Tone(frame, frequency, 6000, 0, OpusFormat.SampleRate);
            }

            return frame;
        }
    }
}
