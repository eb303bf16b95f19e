using Talko.Server.Drain;

namespace Talko.Tests.Server.Drain;

public sealed class ReconnectScheduleTests
{
    [Fact]
    public void Every_client_gets_one_slot_inside_the_window_in_time_order()
    {
        var clients = Enumerable.Range(0, 500).ToList();

        var plan = ReconnectSchedule.Plan(clients, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1), new Random(7));

        Assert.Equal(clients.Order(), plan.Select(p => p.Item).Order());
        Assert.All(plan, p => Assert.InRange(p.Offset, TimeSpan.Zero, TimeSpan.FromSeconds(20)));
        Assert.Equal(plan.Select(p => p.Offset).Order(), plan.Select(p => p.Offset));
    }

    [Fact]
    public void The_busiest_second_carries_little_more_than_the_average_rate()
    {
        var plan = ReconnectSchedule.Plan(Enumerable.Range(0, 1000).ToList(), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1), new Random(11));

        var busiest = plan.GroupBy(p => (int)p.Offset.TotalSeconds).Max(g => g.Count());

        // 50 per second on average; a 1 s jitter can move at most the neighbours' halves into a second.
        Assert.InRange(busiest, 50, 100);
    }

    [Fact]
    public void Clients_are_not_asked_in_the_order_they_were_listed()
    {
        var clients = Enumerable.Range(0, 100).ToList();

        var order = ReconnectSchedule.Plan(clients, TimeSpan.FromSeconds(10), TimeSpan.Zero, new Random(3)).Select(p => p.Item).ToList();

        Assert.NotEqual(clients, order);
    }

    [Fact]
    public void No_clients_no_slots_and_a_zero_window_asks_everyone_at_once()
    {
        Assert.Empty(ReconnectSchedule.Plan(new List<int>(), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), new Random(1)));
        Assert.All(ReconnectSchedule.Plan([1, 2, 3], TimeSpan.Zero, TimeSpan.FromSeconds(1), new Random(1)), p => Assert.Equal(TimeSpan.Zero, p.Offset));
    }
}
