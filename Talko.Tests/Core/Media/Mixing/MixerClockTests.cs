using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Mixing;

public class MixerClockTests
{
    [Fact]
    public async Task TicksFollowTheTimeProviderCatchUpAndSkipBeyondTheLimit()
    {
        var time = new FakeTimeProvider();
        var ticks = 0;
        long skipped = 0;
        await using var clock = new MixerClock(
            time, TimeSpan.FromMilliseconds(20), maxCatchUpTicks: 3, () => Interlocked.Increment(ref ticks), NullLogger.Instance,
            n => Interlocked.Add(ref skipped, n));
        clock.Start();
        await WaitUntilAsync(() => Volatile.Read(ref ticks) == 1);

        for (var step = 2; step <= 6; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            var expected = step;
            await WaitUntilAsync(() => Volatile.Read(ref ticks) == expected);
        }

        // A 200 ms stall: 9 ticks behind, 3 may be caught up, the other 6 are skipped and reported.
        time.Advance(TimeSpan.FromMilliseconds(200));
        await WaitUntilAsync(() => Volatile.Read(ref ticks) + Interlocked.Read(ref skipped) == 16);
        Assert.Equal(6, Interlocked.Read(ref skipped));
        Assert.Equal(6, clock.SkippedTicks);
        Assert.Equal(10, Volatile.Read(ref ticks));
        Assert.True(clock.LateTicks >= 1);
    }

    [Fact]
    public void SkippedTicksAdvanceTimeAndGiveTheSinkSilence()
    {
        var mixer = new ConferenceMixer(new ConferenceMixerOptions());
        var sink = new CountingSink();
        mixer.SetSink(sink);
        mixer.Add(new FakeParticipant("a", Talko.Core.Media.AudioCodec.Pcmu, 440));
        mixer.Tick();
        mixer.Skip(5);
        mixer.Tick();

        Assert.Equal(7, mixer.Ticks);
        Assert.Equal(7, sink.Frames);
        Assert.Equal(5, sink.SilentFrames);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5);
        }
    }

    private sealed class CountingSink : IMixSink
    {
        public int Frames { get; private set; }

        public int SilentFrames { get; private set; }

        public void WriteMix(ReadOnlySpan<short> mix)
        {
            Frames++;
            if (!mix.ContainsAnyExcept((short)0))
            {
                SilentFrames++;
            }
        }
    }
}
