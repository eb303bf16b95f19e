using Talko.Core.Calls;
using Talko.Server.Features.Calls;

namespace Talko.Tests.Server.Features.Calls;

public class SegmentStoredSignalsTests
{
    private static readonly CallId Call = new(Guid.Parse("0193a1b2-0000-7000-8000-000000000001"));
    private static readonly CallId Other = new(Guid.Parse("0193a1b2-0000-7000-8000-000000000002"));

    [Fact]
    public void News_of_a_call_wakes_every_watch_of_that_call_and_no_other()
    {
        var signals = new SegmentStoredSignals();
        using var first = signals.Start(Call);
        using var second = signals.Start(Call);
        using var elsewhere = signals.Start(Other);

        signals.Stored(Call);

        Assert.True(first.Stored.IsCompletedSuccessfully);
        Assert.True(second.Stored.IsCompletedSuccessfully);
        Assert.False(elsewhere.Stored.IsCompleted);
    }

    [Fact]
    public void News_before_a_watch_started_does_not_complete_it()
    {
        var signals = new SegmentStoredSignals();
        signals.Stored(Call);

        using var watch = signals.Start(Call);

        Assert.False(watch.Stored.IsCompleted);
    }

    [Fact]
    public void Disposed_watches_leave_nothing_behind()
    {
        var signals = new SegmentStoredSignals();
        var woken = signals.Start(Call);
        var idle = signals.Start(Other);
        signals.Stored(Call);

        woken.Dispose();
        idle.Dispose();

        Assert.Equal(0, signals.WatchedCalls);
    }
}
