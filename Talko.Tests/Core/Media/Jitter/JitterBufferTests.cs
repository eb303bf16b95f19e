using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media.Jitter;

namespace Talko.Tests.Core.Media.Jitter;

public class JitterBufferTests
{
    private const int Frame = 160;

    private static (JitterBuffer Buffer, FakeTimeProvider Time) Create(int minDepthMs = 20, int maxDepthMs = 200, int maxConcealed = 3)
    {
        var time = new FakeTimeProvider();
        var buffer = new JitterBuffer(
            new JitterBufferOptions
            {
                MinDepth = TimeSpan.FromMilliseconds(minDepthMs),
                MaxDepth = TimeSpan.FromMilliseconds(maxDepthMs),
                MaxConcealedFrames = maxConcealed,
            },
            time);
        return (buffer, time);
    }

    /// <summary>A frame whose every sample carries its frame number, so the order of playout is visible.</summary>
    private static short[] Numbered(int frameNumber) => Enumerable.Repeat((short)(1000 * (frameNumber + 1)), Frame).ToArray();

    [Fact]
    public void ReorderedPacketsPlayInTimestampOrder()
    {
        var (buffer, _) = Create(minDepthMs: 100);
        uint origin = 5000;
        foreach (var n in new[] { 0, 2, 1, 4, 3 })
        {
            Assert.Equal(JitterInsertResult.Accepted, buffer.Insert(origin + (uint)(n * Frame), Numbered(n)));
        }

        var frame = new short[Frame];
        for (var n = 0; n < 5; n++)
        {
            Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
            Assert.All(frame, s => Assert.Equal(1000 * (n + 1), s));
        }
    }

    [Fact]
    public void DuplicatesAndLatePacketsAreDropped()
    {
        var (buffer, _) = Create();
        buffer.Insert(0, Numbered(0));
        buffer.Insert(160, Numbered(1));
        Assert.Equal(JitterInsertResult.Duplicate, buffer.Insert(160, Numbered(1)));

        var frame = new short[Frame];
        buffer.Read(frame);
        Assert.Equal(JitterInsertResult.Late, buffer.Insert(0, Numbered(0)));
        Assert.Equal(1, buffer.Statistics.Duplicates);
        Assert.Equal(1, buffer.Statistics.Late);
    }

    [Fact]
    public void ALostFrameBetweenReceivedOnesIsConcealed()
    {
        var (buffer, _) = Create(minDepthMs: 60);
        buffer.Insert(0, Numbered(0));
        buffer.Insert(Frame, Numbered(1));
        buffer.Insert(3 * Frame, Numbered(3));

        var frame = new short[Frame];
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        Assert.Equal(JitterFrameKind.Concealed, buffer.Read(frame));
        Assert.InRange(frame[0], 1000, 2000); // the repeat of frame 1, fading
        Assert.True(frame[^1] < frame[0]);
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        Assert.All(frame, s => Assert.Equal(4000, s));
    }

    [Fact]
    public void MissingFramesAreConcealedFadingThenSilent()
    {
        var (buffer, time) = Create(maxConcealed: 2);
        var tone = new short[Frame];
        AudioSignals.Tone(tone, 500, 10000, 0);
        buffer.Insert(0, tone);

        var frame = new short[Frame];
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        var original = AudioSignals.Amplitude(frame, 500);

        // Nothing else arrives: the stream underruns and is concealed, then goes silent.
        Assert.Equal(JitterFrameKind.Concealed, buffer.Read(frame));
        var firstRepeat = AudioSignals.Amplitude(frame, 500);
        Assert.Equal(JitterFrameKind.Concealed, buffer.Read(frame));
        var secondRepeat = AudioSignals.Amplitude(frame, 500);
        Assert.Equal(JitterFrameKind.Silence, buffer.Read(frame));
        Assert.All(frame, s => Assert.Equal(0, s));

        Assert.InRange(firstRepeat, original * 0.5, original * 0.95);
        Assert.InRange(secondRepeat, firstRepeat * 0.3, firstRepeat * 0.7);

        // Frame 6 arrives on time after the gap: playout resumes with it.
        time.Advance(TimeSpan.FromMilliseconds(6 * 20));
        buffer.Insert(6 * Frame, Numbered(6));
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        Assert.All(frame, s => Assert.Equal(7000, s));
        Assert.Equal(2, buffer.Statistics.ConcealedFrames);
        Assert.Equal(1, buffer.Statistics.Underruns);
    }

    [Fact]
    public void OversizedPacketsAreRejected()
    {
        var time = new FakeTimeProvider();
        var buffer = new JitterBuffer(new JitterBufferOptions { MaxDepth = TimeSpan.FromMilliseconds(100), Capacity = TimeSpan.FromMilliseconds(200) }, time);
        Assert.Equal(JitterInsertResult.TooLong, buffer.Insert(0, new short[1500]));
        Assert.Equal(JitterInsertResult.Accepted, buffer.Insert(0, new short[160]));
        Assert.Equal(1, buffer.Statistics.TooLong);
    }

    [Fact]
    public void TimestampsWrapAroundWithoutAGap()
    {
        var (buffer, _) = Create(minDepthMs: 120);
        var origin = uint.MaxValue - (2 * Frame) + 1;
        var frame = new short[Frame];
        for (var n = 0; n < 6; n++)
        {
            buffer.Insert(unchecked(origin + (uint)(n * Frame)), Numbered(n));
        }

        for (var n = 0; n < 6; n++)
        {
            Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
            Assert.Equal(1000 * (n + 1), frame[0]);
        }
    }

    [Fact]
    public void DepthGrowsWithJitterWithinTheMaximumAndStaysLowWhenSteady()
    {
        var (steady, steadyTime) = Create(minDepthMs: 20, maxDepthMs: 120);
        var (jittery, jitteryTime) = Create(minDepthMs: 20, maxDepthMs: 120);
        var frame = new short[Frame];
        var random = new Random(3);

        // Jittery packets leave every 20 ms but arrive 0-60 ms late (in order), so arrival spacing swings widely.
        var arrivals = new List<double>();
        for (var n = 0; n < 300; n++)
        {
            var arrival = (n * 20.0) + random.Next(0, 60);
            arrivals.Add(Math.Max(arrival, arrivals.Count > 0 ? arrivals[^1] : 0));
        }

        var next = 0;
        for (var tick = 0; tick < 300; tick++)
        {
            steadyTime.Advance(TimeSpan.FromMilliseconds(20));
            steady.Insert((uint)(tick * Frame), Numbered(tick % 20));
            steady.Read(frame);

            var tickTime = (tick + 1) * 20.0;
            while (next < arrivals.Count && arrivals[next] <= tickTime)
            {
                var now = jitteryTime.GetElapsedTime(0, jitteryTime.GetTimestamp()).TotalMilliseconds;
                jitteryTime.Advance(TimeSpan.FromMilliseconds(Math.Max(0, arrivals[next] - now)));
                jittery.Insert((uint)(next * Frame), Numbered(next % 20));
                next++;
            }

            var afterInserts = jitteryTime.GetElapsedTime(0, jitteryTime.GetTimestamp()).TotalMilliseconds;
            jitteryTime.Advance(TimeSpan.FromMilliseconds(Math.Max(0, tickTime - afterInserts)));
            jittery.Read(frame);
        }

        var steadyStats = steady.Statistics;
        var jitteryStats = jittery.Statistics;
        Assert.Equal(160, steadyStats.TargetDepthSamples); // one frame: the configured minimum
        Assert.InRange(jitteryStats.JitterSamples, 80, 300);
        Assert.InRange(jitteryStats.TargetDepthSamples, 480, 960);
    }

    [Fact]
    public void BufferDropsAFrameWhenFarAboveTarget()
    {
        var (buffer, time) = Create(minDepthMs: 20, maxDepthMs: 100);
        for (var n = 0; n < 20; n++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            buffer.Insert((uint)(n * Frame), Numbered(n));
        }

        // 400 ms buffered against a 20 ms target: after ShrinkAfterFrames (10) reads over target, one frame is dropped.
        var frame = new short[Frame];
        for (var n = 0; n < 9; n++)
        {
            buffer.Read(frame);
            Assert.Equal(1000 * (n + 1), frame[0]);
        }

        buffer.Read(frame);
        Assert.Equal(1, buffer.Statistics.DroppedFramesToShrink);
        Assert.Equal(11000, frame[0]); // frame 9 was dropped to cut delay
    }

    [Fact]
    public void UnderrunRefillsToTargetBeforePlayingAgain()
    {
        var (buffer, time) = Create(minDepthMs: 40, maxConcealed: 1);
        var frame = new short[Frame];
        buffer.Insert(0, Numbered(0));
        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(JitterFrameKind.Silence, buffer.Read(frame)); // below the 40 ms target
        buffer.Insert(160, Numbered(1));
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        Assert.Equal(JitterFrameKind.Concealed, buffer.Read(frame)); // underrun
        Assert.Equal(1, buffer.Statistics.Underruns);

        // After a pause the sender resumes much later: playout restarts from its packet, not from the gap.
        time.Advance(TimeSpan.FromMilliseconds(49 * 20));
        buffer.Insert(50 * Frame, Numbered(2));
        Assert.Equal(JitterFrameKind.Silence, buffer.Read(frame));
        time.Advance(TimeSpan.FromMilliseconds(20));
        buffer.Insert(51 * Frame, Numbered(3));
        Assert.Equal(JitterFrameKind.Audio, buffer.Read(frame));
        Assert.Equal(3000, frame[0]);
    }
}
