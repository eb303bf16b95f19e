using Talko.Core.Notifications;

namespace Talko.Tests.Core.Notifications;

public sealed class RetryScheduleTests
{
    private readonly RetrySchedule schedule = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10), Jitter: 0.2, MaxRetryAfter: TimeSpan.FromHours(1));

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(7, 320)]
    [InlineData(8, 600)]
    [InlineData(40, 600)]
    public void Backoff_doubles_per_attempt_up_to_the_cap(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), schedule.DelayAfter(attempts, null, random: 0));

    [Fact]
    public void Jitter_only_shortens_the_wait() =>
        Assert.Equal(TimeSpan.FromSeconds(8), schedule.DelayAfter(2, null, random: 1));

    [Fact]
    public void Retry_after_is_a_floor_and_is_itself_capped()
    {
        Assert.Equal(TimeSpan.FromSeconds(120), schedule.DelayAfter(1, TimeSpan.FromSeconds(120), random: 0));
        Assert.Equal(TimeSpan.FromSeconds(20), schedule.DelayAfter(3, TimeSpan.FromSeconds(1), random: 0));
        Assert.Equal(TimeSpan.FromHours(1), schedule.DelayAfter(1, TimeSpan.FromDays(2), random: 0));
    }
}
