using Talko.Core.Media;
using Talko.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Mixing;

/// <summary>Ranking legs and mixing only the loudest few (ADR 0930).</summary>
public sealed class LoudestTalkersTests
{
    [Fact]
    public void PicksTheLoudestAndNeverASilentLeg()
    {
        double[] levels = [-30, double.NegativeInfinity, -10, -45, -20, -25];
        var picked = new bool[levels.Length];

        var count = LoudestTalkers.Pick(levels, new bool[levels.Length], 3, picked);

        Assert.Equal(3, count);
        Assert.Equal([false, false, true, false, true, true], picked);
    }

    [Fact]
    public void FewerCandidatesThanPicksPicksOnlyTheAudible()
    {
        double[] levels = [double.NegativeInfinity, -40, double.NegativeInfinity];
        var picked = new bool[3];

        Assert.Equal(1, LoudestTalkers.Pick(levels, new bool[3], 3, picked));
        Assert.Equal([false, true, false], picked);
    }

    [Fact]
    public void APickedLegKeepsItsPlaceAgainstOneSlightlyLouder()
    {
        double[] levels = [-20, -21, -22];
        var picked = new bool[3];

        // Leg 2 was picked last tick: 2 dB quieter is within the hysteresis, 4 dB is not.
        LoudestTalkers.Pick(levels, [false, false, true], 2, picked);
        Assert.Equal([true, false, true], picked);
        LoudestTalkers.Pick([-20, -21, -25], [false, false, true], 2, picked);
        Assert.Equal([true, true, false], picked);
    }

    [Fact]
    public void TiesGoToTheEarlierLeg()
    {
        var picked = new bool[4];
        LoudestTalkers.Pick([-20, -20, -20, -20], new bool[4], 2, picked);
        Assert.Equal([true, true, false, false], picked);
    }

    [Fact]
    public void DbovOfAFullScaleSquareIsZero()
    {
        Assert.Equal(0, LoudestTalkers.Dbov(32768L * 32768 * 960, 960), 6);
        Assert.Equal(-20, LoudestTalkers.Dbov((long)(3276.8 * 3276.8 * 960), 960), 3);
        Assert.True(double.IsNegativeInfinity(LoudestTalkers.Dbov(0, 960)));
    }

    [Fact]
    public void OnlyTheThreeLoudestOfFiveAreHeard()
    {
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions { LoudestTalkers = 3 });
        double[] amplitudes = [1000, 2000, 4000, 8000, 16000];
        double[] frequencies = [300, 500, 700, 1100, 1300];
        var talkers = amplitudes.Select((a, i) => new FakeParticipant($"t{i}", AudioCodec.Pcmu, frequencies[i], a)).ToArray();
        var listener = new FakeParticipant("listener", AudioCodec.Pcmu, 900) { Speaking = _ => false };
        foreach (var talker in talkers)
        {
            mixer.Add(talker);
        }

        mixer.Add(listener);
        for (var tick = 0; tick < 20; tick++)
        {
            mixer.Tick();
        }

        var heard = listener.Heard.Skip(5 * 160).ToArray();
        Assert.True(AudioSignals.Amplitude(heard, 1300, 8000) > 8000, "the loudest is heard");
        Assert.True(AudioSignals.Amplitude(heard, 1100, 8000) > 4000);
        Assert.True(AudioSignals.Amplitude(heard, 700, 8000) > 2000);
        Assert.True(AudioSignals.Amplitude(heard, 500, 8000) < 200, "the fourth loudest is left out");
        Assert.True(AudioSignals.Amplitude(heard, 300, 8000) < 200, "the quietest is left out");
    }

    [Fact]
    public void LegsWithALevelAreDecodedOnlyWhenPickedAndSilentOnesNever()
    {
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions { LoudestTalkers = 2 });
        var started = new List<string>();
        mixer.TalkingStarted += (_, e) => started.Add(e.ParticipantId);

        // RFC 6464 levels: 10, 20 and 30 (-dBov); "silent" sends level 127, "dtx" only DTX packets.
        var loud = new FakeParticipant("loud", AudioCodec.Opus, 440) { Outlook = _ => FrameOutlook.Of(10) };
        var middle = new FakeParticipant("middle", AudioCodec.Opus, 660) { Outlook = _ => FrameOutlook.Of(20) };
        var third = new FakeParticipant("third", AudioCodec.Opus, 880) { Outlook = _ => FrameOutlook.Of(30) };
        var silent = new FakeParticipant("silent", AudioCodec.Opus, 550) { Outlook = _ => FrameOutlook.Of(127), Speaking = _ => false };
        var dtx = new FakeParticipant("dtx", AudioCodec.Opus, 770) { Outlook = _ => FrameOutlook.Silent, Speaking = _ => false };
        foreach (var participant in new[] { loud, middle, third, silent, dtx })
        {
            mixer.Add(participant);
        }

        for (var tick = 0; tick < 10; tick++)
        {
            mixer.Tick();
        }

        Assert.Equal((10, 0), (loud.Reads, loud.Skips));
        Assert.Equal((10, 0), (middle.Reads, middle.Skips));
        Assert.Equal((0, 10), (third.Reads, third.Skips));
        Assert.Equal((0, 10), (silent.Reads, silent.Skips));
        Assert.Equal((0, 10), (dtx.Reads, dtx.Skips));

        // The third talker is not decoded, but its level still makes it a talker in the timeline and in awareness.
        Assert.Equal(["loud", "middle", "third"], started.Order());
    }

    [Fact]
    public void AnUnpickedTalkerComesBackWithAFadeIn()
    {
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions { LoudestTalkers = 1 });
        var first = new FakeParticipant("first", AudioCodec.Pcmu, 440, 16000) { Speaking = f => f < 10 };
        var second = new FakeParticipant("second", AudioCodec.Pcmu, 1000, 8000);
        var listener = new FakeParticipant("listener", AudioCodec.Pcmu, 0) { Speaking = _ => false };
        mixer.Add(first);
        mixer.Add(second);
        mixer.Add(listener);
        for (var tick = 0; tick < 20; tick++)
        {
            mixer.Tick();
        }

        var heard = listener.Heard.ToArray();
        Assert.True(AudioSignals.Amplitude(heard.AsSpan(5 * 160, 4 * 160), 1000, 8000) < 200, "second is left out while first is louder");
        Assert.True(AudioSignals.Amplitude(heard.AsSpan(14 * 160, 4 * 160), 1000, 8000) > 6000, "second is heard once first stops");

        // Its first picked frame (10) ramps up: its start (past the 48 -> 8 kHz resampler's delay) is much fainter than later.
        var start = AudioSignals.Amplitude(heard.AsSpan((10 * 160) + 40, 40), 1000, 8000);
        var steady = AudioSignals.Amplitude(heard.AsSpan((14 * 160) + 40, 40), 1000, 8000);
        Assert.True(start < steady / 2, $"amplitude {start:F0} at the start of the first frame against {steady:F0} later");
    }
}
