using Microsoft.Extensions.Time.Testing;
using Talko.Core.Logging;

namespace Talko.Tests.Core.Logging;

public sealed class LogThrottleTests
{
    [Fact]
    public void The_first_occurrence_is_written_the_rest_of_the_interval_is_counted_into_the_next_line()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), time);

        Assert.True(throttle.ShouldWrite(out var first));
        Assert.Equal(0, first);
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(throttle.ShouldWrite(out _));
        }

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(throttle.ShouldWrite(out var heldBack));
        Assert.Equal(5, heldBack);

        // A quiet spell: the next occurrence is written at once, with nothing held back.
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.True(throttle.ShouldWrite(out var afterQuiet));
        Assert.Equal(0, afterQuiet);
    }

    [Fact]
    public async Task Concurrent_occurrences_write_one_line_and_count_every_other_one()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), time);
        var written = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (throttle.ShouldWrite(out _))
                {
                    Interlocked.Increment(ref written);
                }
            }
        })));

        Assert.Equal(1, written);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(throttle.ShouldWrite(out var heldBack));
        Assert.Equal(7999, heldBack);
    }
}
