namespace Talko.Server.Drain;

/// <summary>
/// When each realtime client is asked to reconnect: evenly spaced over the window, each moved by up to
/// half the jitter either way (kept inside the window), in a random order. Even spacing bounds the rate
/// the other instances see at count / window; the jitter keeps several instances draining at once from
/// asking in lockstep.
/// </summary>
public static class ReconnectSchedule
{
    public static IReadOnlyList<(T Item, TimeSpan Offset)> Plan<T>(IReadOnlyList<T> items, TimeSpan window, TimeSpan jitter, Random random)
    {
        var shuffled = items.ToArray();
        random.Shuffle(shuffled);
        var plan = new List<(T, TimeSpan)>(shuffled.Length);
        for (var i = 0; i < shuffled.Length; i++)
        {
            var slot = window * ((i + 0.5) / shuffled.Length);
            var shift = jitter * (random.NextDouble() - 0.5);
            var offset = slot + shift;
            plan.Add((shuffled[i], offset < TimeSpan.Zero ? TimeSpan.Zero : offset > window ? window : offset));
        }

        return plan.OrderBy(p => p.Item2).ToList();
    }
}
