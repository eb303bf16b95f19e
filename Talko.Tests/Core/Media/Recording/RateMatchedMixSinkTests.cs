using Talko.Core.Media.Mixing;
using Talko.Core.Media.Recording;

namespace Talko.Tests.Core.Media.Recording;

/// <summary>
/// The recording keeps its rate while the mixer switches between 8 kHz (every leg G.711) and 48 kHz: every frame
/// reaches the recording at the recording's length, and a tone comes through from either mix rate.
/// </summary>
public sealed class RateMatchedMixSinkTests
{
    [Theory]
    [InlineData(48000)]
    [InlineData(8000)]
    public void A_mix_that_switches_rate_reaches_the_recording_at_its_own_rate_with_the_tone(int recordingRate)
    {
        var recorded = new CapturingSink();
        var sink = new RateMatchedMixSink(recorded, recordingRate);

        // One second narrowband, one second wideband, one second narrowband again: what a call does when a browser
        // joins a call of desk phones and leaves again.
        Feed(sink, 8000, 50, 0);
        Feed(sink, 48000, 50, 50);
        Feed(sink, 8000, 50, 100);

        var frameSamples = recordingRate / 50;
        Assert.Equal(150, recorded.Frames.Count);
        Assert.All(recorded.Frames, f => Assert.Equal(frameSamples, f.Length));
        for (var second = 0; second < 3; second++)
        {
            // The middle of each second, away from the filters' settling after a switch.
            var middle = recorded.Frames.Skip((second * 50) + 10).Take(30).SelectMany(f => f).ToArray();
            Assert.True(AudioSignals.Power(middle, 1000, recordingRate) > 100 * AudioSignals.Power(middle, 2500, recordingRate),
                $"second {second}: the 1 kHz tone did not come through at {recordingRate} Hz");
        }
    }

    [Fact]
    public void A_frame_of_another_length_is_refused()
    {
        var sink = new RateMatchedMixSink(new CapturingSink(), 48000);
        Assert.Throws<ArgumentException>(() => sink.WriteMix(new short[320]));
    }

    private static void Feed(RateMatchedMixSink sink, int mixRate, int frames, int firstFrame)
    {
        var frame = new short[mixRate / 50];
        for (var n = 0; n < frames; n++)
        {
            // Continuous in time across the switch: the tone's phase follows the frame's position in the call.
            AudioSignals.Tone(frame, 1000, 8000, (long)(firstFrame + n) * frame.Length, mixRate);
            sink.WriteMix(frame);
        }
    }

    private sealed class CapturingSink : IMixSink
    {
        public List<short[]> Frames { get; } = [];

        public void WriteMix(ReadOnlySpan<short> mix) => Frames.Add(mix.ToArray());
    }
}
