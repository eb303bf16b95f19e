using Talko.Core.Media;
using Talko.Core.Media.Codecs;
using Talko.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Mixing;

public class ConferenceMixerTests
{
    private static ConferenceMixer CreateMixer(TalkerDetectionOptions? talker = null, int loudestTalkers = 3) =>
        new(new ConferenceMixerOptions { Talker = talker ?? new TalkerDetectionOptions(), LoudestTalkers = loudestTalkers });

    [Fact]
    public void EachOfThreeParticipantsHearsTheOtherTwoAndNeverItself()
    {
        var mixer = CreateMixer();
        FakeParticipant[] participants =
        [
            new("a", AudioCodec.Pcmu, 440),
            new("b", AudioCodec.Pcma, 770),
            new("c", AudioCodec.Pcmu, 1210),
        ];
        foreach (var participant in participants)
        {
            mixer.Add(participant);
        }

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
                if (speaker == listener)
                {
                    Assert.True(amplitude < 200, $"{listener.Id} hears itself at amplitude {amplitude:F0}");
                }
                else
                {
                    Assert.True(amplitude is > 7000 and < 9000, $"{listener.Id} hears {speaker.Id} at amplitude {amplitude:F0}");
                }
            }
        }
    }

    [Fact]
    public void LoudSumsSaturateInsteadOfWrapping()
    {
        // Four talkers at once, all of them mixed (ADR 0930 would otherwise leave one out).
        var mixer = CreateMixer(loudestTalkers: 4);
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 0) { Constant = 30000 };
        var b = new FakeParticipant("b", AudioCodec.Pcmu, 0) { Constant = 30000 };
        var c = new FakeParticipant("c", AudioCodec.Pcmu, 0) { Constant = -30000 };
        var d = new FakeParticipant("d", AudioCodec.Pcma, 0) { Constant = -30000 };
        foreach (var participant in new[] { a, b, c, d })
        {
            mixer.Add(participant);
        }

        mixer.Tick();
        mixer.Tick();
        mixer.Tick();

        // c hears a + b + d = 30000: positive. d hears a + b + c = 30000. a hears b + c + d = -30000.
        // With only a + b (60000) a wrap would turn negative; check that pair directly through PcmMath too.
        // Two frames skipped: the fade-in frame, and the 48 -> 8 kHz resampler's delay (4.25 ms) carries its ramp into the next.
        Assert.All(c.Heard.Skip(320), s => Assert.InRange(s, 28000, 32767));
        Assert.All(a.Heard.Skip(320), s => Assert.InRange(s, -32768, -28000));

        var sum = new int[160];
        PcmMath.Accumulate(sum, Enumerable.Repeat((short)30000, 160).ToArray());
        PcmMath.Accumulate(sum, Enumerable.Repeat((short)30000, 160).ToArray());
        PcmMath.Accumulate(sum, Enumerable.Repeat((short)1, 160).ToArray());
        var mix = new short[160];
        PcmMath.SubtractSaturate(sum, Enumerable.Repeat((short)1, 160).ToArray(), mix);
        Assert.All(mix, s => Assert.Equal(short.MaxValue, s));

        Array.Fill(sum, -100000);
        PcmMath.Saturate(sum, mix);
        Assert.All(mix, s => Assert.Equal(short.MinValue, s));
    }

    [Fact]
    public void TwoFullScaleSpeakersClipAtTheTopForTheThirdListener()
    {
        var mixer = CreateMixer();
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 0) { Constant = 30000 };
        var b = new FakeParticipant("b", AudioCodec.Pcmu, 0) { Constant = 30000 };
        var listener = new FakeParticipant("listener", AudioCodec.Pcmu, 0) { Speaking = _ => false };
        mixer.Add(a);
        mixer.Add(b);
        mixer.Add(listener);
        mixer.Tick();
        mixer.Tick();

        // 60000 would wrap to -5536; saturated it is the top mu-law level.
        Assert.All(listener.Heard.Skip(160), s => Assert.Equal(MuLaw.Decode(MuLaw.Encode(short.MaxValue)), s));
    }

    [Fact]
    public void OnHoldParticipantNeitherContributesNorHears()
    {
        var mixer = CreateMixer();
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 440);
        var b = new FakeParticipant("b", AudioCodec.Pcmu, 770);
        mixer.Add(a);
        mixer.Add(b);
        mixer.SetOnHold(b, true);
        for (var tick = 0; tick < 10; tick++)
        {
            mixer.Tick();
        }

        Assert.Equal(0, b.FramesHeard);
        Assert.Equal(10, a.FramesHeard);
        Assert.True(AudioSignals.Amplitude(a.Heard.ToArray(), 770) < 100);
    }

    [Fact]
    public void JoinAndLeaveDoNotInterruptOrClickForOthers()
    {
        var mixer = CreateMixer();
        var speaker = new FakeParticipant("speaker", AudioCodec.Pcmu, 300);
        var listener = new FakeParticipant("listener", AudioCodec.Pcmu, 0) { Speaking = _ => false };
        // A constant offset is the worst case for clicks: cut in or out abruptly it steps by its full value.
        var visitor = new FakeParticipant("visitor", AudioCodec.Pcmu, 0) { Constant = 12000 };
        mixer.Add(speaker);
        mixer.Add(listener);
        for (var tick = 0; tick < 100; tick++)
        {
            if (tick == 30)
            {
                mixer.Add(visitor);
            }

            if (tick == 70)
            {
                mixer.Remove(visitor);
            }

            mixer.Tick();
        }

        Assert.Equal(100, listener.FramesHeard);
        var heard = listener.Heard.ToArray();

        // The visitor is heard only while present, and the speaker throughout.
        Assert.InRange(heard.Skip(40 * 160).Take(25 * 160).Average(s => (double)s), 11000, 13000);
        Assert.InRange(heard.Skip(72 * 160).Take(25 * 160).Average(s => (double)s), -300, 300);
        Assert.True(AudioSignals.Amplitude(heard.AsSpan(5 * 160, 90 * 160), 300) > 7000);

        // A 300 Hz tone at 8000 moves at most ~1900 per sample (plus G.711 steps); an abrupt join or leave
        // of the visitor would step by 12000.
        foreach (var boundary in new[] { 30, 70 })
        {
            for (var i = ((boundary - 1) * 160) + 1; i < (boundary + 2) * 160; i++)
            {
                Assert.True(Math.Abs(heard[i] - heard[i - 1]) < 3500, $"step of {heard[i] - heard[i - 1]} at sample {i}");
            }
        }

        Assert.False(mixer.Remove(visitor));
        Assert.Equal(2, mixer.Count);
    }

    [Fact]
    public void TalkerEventsFollowEnergyWithHysteresis()
    {
        var mixer = CreateMixer(new TalkerDetectionOptions { StartFrames = 2, StopFrames = 10 });
        var events = new List<(string Kind, string Id, TimeSpan Offset)>();
        mixer.TalkingStarted += (_, e) => events.Add(("start", e.ParticipantId, e.Offset));
        mixer.TalkingStopped += (_, e) => events.Add(("stop", e.ParticipantId, e.Offset));

        // "a" talks in frames 10-59 with a 5-frame pause (shorter than the hangover) at 30-34; "b" in 80-99.
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 440) { Speaking = f => f is >= 10 and < 60 and not (>= 30 and < 35) };
        var b = new FakeParticipant("b", AudioCodec.Pcmu, 660) { Speaking = f => f is >= 80 and < 100 };
        var quiet = new FakeParticipant("quiet", AudioCodec.Pcmu, 500, amplitude: 50);
        mixer.Add(a);
        mixer.Add(b);
        mixer.Add(quiet);
        for (var tick = 0; tick < 130; tick++)
        {
            mixer.Tick();
        }

        Assert.Equal(
            [
                ("start", "a", TimeSpan.FromMilliseconds(200)),
                ("stop", "a", TimeSpan.FromMilliseconds(1200)),
                ("start", "b", TimeSpan.FromMilliseconds(1600)),
                ("stop", "b", TimeSpan.FromMilliseconds(2000)),
            ],
            events);
    }

    [Fact]
    public void LeavingWhileTalkingEndsTheTalkSpurt()
    {
        var mixer = CreateMixer();
        var stopped = new List<TalkerEventArgs>();
        mixer.TalkingStopped += (_, e) => stopped.Add(e);
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 440);
        mixer.Add(a);
        for (var tick = 0; tick < 10; tick++)
        {
            mixer.Tick();
        }

        mixer.Remove(a);
        var stop = Assert.Single(stopped);
        Assert.Equal("a", stop.ParticipantId);
        Assert.Equal(TimeSpan.FromMilliseconds(200), stop.Offset);
    }

    [Fact]
    public void LimitsAndDuplicatesAreRefused()
    {
        var mixer = new ConferenceMixer(new ConferenceMixerOptions { MaxParticipants = 1 });
        var a = new FakeParticipant("a", AudioCodec.Pcmu, 440);
        mixer.Add(a);
        Assert.Throws<InvalidOperationException>(() => mixer.Add(a));
        Assert.Throws<InvalidOperationException>(() => mixer.Add(new FakeParticipant("b", AudioCodec.Pcmu, 440)));
    }

    [Fact]
    public void AFailingParticipantDoesNotStopTheTick()
    {
        var mixer = CreateMixer();
        var good = new FakeParticipant("good", AudioCodec.Pcmu, 440);
        var bad = new FakeParticipant("bad", AudioCodec.Pcmu, 660) { Speaking = _ => throw new InvalidOperationException("boom") };
        mixer.Add(bad);
        mixer.Add(good);
        mixer.Tick();
        Assert.Equal(1, good.FramesHeard);
        Assert.Equal(1, bad.FramesHeard);
    }
}
