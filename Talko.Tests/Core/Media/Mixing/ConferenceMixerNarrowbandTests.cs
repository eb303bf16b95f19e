using Talko.Core.Media;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Mixing;

/// <summary>An all-G.711 conference mixes at 8 kHz with no resampling; a wideband participant switches it to 48 kHz (ADR 0921).</summary>
public class ConferenceMixerNarrowbandTests
{
    private static ConferenceMixer CreateMixer(TalkerDetectionOptions? talker = null) =>
        new(new ConferenceMixerOptions { Talker = talker ?? new TalkerDetectionOptions() });

    [Fact]
    public void ThreeG711ParticipantsMixAt8kHzAndHearEachOtherButNeverThemselves()
    {
        using var mixer = CreateMixer();
        FakeParticipant[] participants =
        [
            new("a", AudioCodec.Pcmu, 440) { Narrowband = true },
            new("b", AudioCodec.Pcma, 770) { Narrowband = true },
            new("c", AudioCodec.Pcmu, 1210) { Narrowband = true },
        ];
        foreach (var participant in participants)
        {
            mixer.Add(participant);
        }

        Assert.True(mixer.IsNarrowband);
        for (var tick = 0; tick < 50; tick++)
        {
            mixer.Tick();
        }

        foreach (var listener in participants)
        {
            Assert.Equal(50, listener.FramesHeard);
            var heard = listener.Heard.ToArray().AsSpan(160); // skip the fade-in frame
            foreach (var speaker in participants)
            {
                var amplitude = AudioSignals.Amplitude(heard, speaker.Frequency);
                Assert.True(
                    speaker == listener ? amplitude < 200 : amplitude is > 7000 and < 9000,
                    $"{listener.Id} hears {speaker.Id} at amplitude {amplitude:F0}");
            }
        }
    }

    [Fact]
    public void AnOpusParticipantSwitchesTheMixTo48kHzAndItsLeavingSwitchesBack()
    {
        using var mixer = CreateMixer();
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 440) { Narrowband = true };
        var b = new FakeParticipant("b", AudioCodec.Pcmu, 770) { Narrowband = true };
        var opus = new FakeParticipant("opus", AudioCodec.Opus, 1210);
        mixer.Add(a);
        mixer.Add(b);
        Tick(mixer, 20);
        Assert.True(mixer.IsNarrowband);

        mixer.Add(opus);
        Assert.False(mixer.IsNarrowband);
        Tick(mixer, 40);

        // Wideband now: the Opus listener hears both G.711 talkers, and they hear it (band-limited to 8 kHz).
        var wide = opus.Heard.ToArray().AsSpan(10 * OpusFormat.FrameSamples);
        Assert.True(AudioSignals.Amplitude(wide, 440, OpusFormat.SampleRate) > 5000, $"opus hears a at {AudioSignals.Amplitude(wide, 440, OpusFormat.SampleRate):F0}");
        Assert.True(AudioSignals.Amplitude(wide, 770, OpusFormat.SampleRate) > 5000, $"opus hears b at {AudioSignals.Amplitude(wide, 770, OpusFormat.SampleRate):F0}");
        var heardByA = a.Heard.ToArray().AsSpan(40 * 160, 10 * 160);
        Assert.True(AudioSignals.Amplitude(heardByA, 1210) > 5000, $"a hears opus at {AudioSignals.Amplitude(heardByA, 1210):F0}");
        Assert.True(AudioSignals.Amplitude(heardByA, 770) > 5000, $"a hears b at {AudioSignals.Amplitude(heardByA, 770):F0}");

        mixer.Remove(opus);
        Assert.True(mixer.IsNarrowband);
        Tick(mixer, 20);
        var after = a.Heard.ToArray().AsSpan(a.Heard.Count - (10 * 160));
        Assert.True(AudioSignals.Amplitude(after, 770) is > 7000 and < 9000, $"a hears b at {AudioSignals.Amplitude(after, 770):F0} after the switch back");
        Assert.True(AudioSignals.Amplitude(after, 440) < 200, $"a hears itself at {AudioSignals.Amplitude(after, 440):F0}");
        Assert.Equal(80, a.FramesHeard);
    }

    [Fact]
    public void AParticipantThatOnlyReadsWidebandKeepsTheMixAt48kHz()
    {
        using var mixer = CreateMixer();
        mixer.Add(new FakeParticipant("a", AudioCodec.Pcmu, 440) { Narrowband = true });
        mixer.Add(new FakeParticipant("b", AudioCodec.Pcmu, 770));
        Assert.False(mixer.IsNarrowband);
    }

    [Fact]
    public void TalkerEventsAreTheSameAt8kHz()
    {
        using var mixer = CreateMixer(new TalkerDetectionOptions { StartFrames = 2, StopFrames = 10 });
        var events = new List<(string Kind, string Id, TimeSpan Offset)>();
        mixer.TalkingStarted += (_, e) => events.Add(("start", e.ParticipantId, e.Offset));
        mixer.TalkingStopped += (_, e) => events.Add(("stop", e.ParticipantId, e.Offset));
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 440) { Narrowband = true, Speaking = f => f is >= 10 and < 60 and not (>= 30 and < 35) };
        var b = new FakeParticipant("b", AudioCodec.Pcmu, 660) { Narrowband = true, Speaking = f => f is >= 80 and < 100 };
        var quiet = new FakeParticipant("quiet", AudioCodec.Pcmu, 500, amplitude: 50) { Narrowband = true };
        mixer.Add(a);
        mixer.Add(b);
        mixer.Add(quiet);
        Assert.True(mixer.IsNarrowband);
        Tick(mixer, 130);

        Assert.Equal(
            [
                ("start", "a", TimeSpan.FromMilliseconds(200)),
                ("stop", "a", TimeSpan.FromMilliseconds(1200)),
                ("start", "b", TimeSpan.FromMilliseconds(1600)),
                ("stop", "b", TimeSpan.FromMilliseconds(2000)),
            ],
            events);
    }

    private static void Tick(ConferenceMixer mixer, int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            mixer.Tick();
        }
    }
}
