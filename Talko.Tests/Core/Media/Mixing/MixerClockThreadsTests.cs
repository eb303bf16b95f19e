using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Mixing;
using Talko.Tests.Core.Media.Engine;

namespace Talko.Tests.Core.Media.Mixing;

/// <summary>The timing threads on the real clock: they tick, spread clocks over threads, and a stopped clock stays stopped.</summary>
[Collection(RealtimeMediaCollection.Name)]
public class MixerClockThreadsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task Clocks_on_timing_threads_tick_spread_over_the_threads_and_stop_for_good_when_disposed()
    {
        using var threads = new MixerClockThreads(2);
        var counts = new int[3];
        var ticksOn = new string?[3];
        var clocks = Enumerable.Range(0, 3).Select(i => new MixerClock(
            TimeProvider.System, Interval, 5, () =>
            {
                Interlocked.Increment(ref counts[i]);
                ticksOn[i] = Thread.CurrentThread.Name;
            }, NullLogger.Instance, threads: threads)).ToList();
        foreach (var clock in clocks)
        {
            clock.Start();
        }

        Assert.Equal(2, threads.ThreadCount);
        Assert.Equal(3, threads.ClockCount);
        await WaitUntilAsync(() => Enumerable.Range(0, 3).All(i => Volatile.Read(ref counts[i]) >= 10));
        Assert.All(ticksOn, name => Assert.StartsWith("talko-mixer-clock-", name));
        Assert.Equal(2, ticksOn.Distinct().Count());

        await clocks[0].DisposeAsync();
        var frozen = Volatile.Read(ref counts[0]);
        var othersBefore = Volatile.Read(ref counts[1]);
        await WaitUntilAsync(() => Volatile.Read(ref counts[1]) >= othersBefore + 10);
        Assert.Equal(frozen, Volatile.Read(ref counts[0]));
        Assert.Equal(2, threads.ClockCount);

        await clocks[1].DisposeAsync();
        await clocks[2].DisposeAsync();
        Assert.Equal(0, threads.ClockCount);
    }

    [Fact]
    public async Task A_tick_that_throws_is_logged_and_the_clock_keeps_ticking()
    {
        using var threads = new MixerClockThreads(1);
        var ticks = 0;
        await using var clock = new MixerClock(
            TimeProvider.System, Interval, 5, () =>
            {
                if (Interlocked.Increment(ref ticks) % 2 == 0)
                {
                    throw new InvalidOperationException("a broken tick");
                }
            }, NullLogger.Instance, threads: threads);
        clock.Start();
        await WaitUntilAsync(() => Volatile.Read(ref ticks) >= 6);
    }

    [Fact]
    public async Task Adding_a_clock_after_the_threads_are_disposed_is_refused()
    {
        var threads = new MixerClockThreads(1);
        threads.Dispose();
        await using var clock = new MixerClock(TimeProvider.System, Interval, 5, () => { }, NullLogger.Instance, threads: threads);
        Assert.Throws<ObjectDisposedException>(clock.Start);
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
}
