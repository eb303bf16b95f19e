namespace Talko.Core.Awareness;

/// <summary>
/// The aggregation rules, in C#, for the in-memory store. The Redis store runs the same rules in Lua
/// (<see cref="RedisAwarenessScripts"/>); the specification tests hold the two together.
/// Times compare in whole milliseconds, as Redis stores them.
/// </summary>
internal static class AwarenessAggregator
{
    /// <summary>A typing activity past its deadline becomes viewing the same conversation.</summary>
    public static ConnectionAwareness ExpireTyping(ConnectionAwareness connection, long now) =>
        connection.Activity.Kind == ActivityKind.Typing && connection.TypingUntil is { } until && Ms(until) <= now
            ? connection with { Activity = Activity.Viewing(connection.Activity.ConversationId!), TypingUntil = null }
            : connection;

    public static bool IsLive(ConnectionAwareness connection, long now) => Ms(connection.LeaseUntil) > now;

    /// <summary>Aggregates live, typing-expired connections. Ties go to the smaller connection id (ordinal).</summary>
    public static UserAwareness Aggregate(string userId, IReadOnlyCollection<ConnectionAwareness> live)
    {
        var presence = Presence.Offline;
        ConnectionAwareness? activity = null;
        ConnectionAwareness? status = null;
        foreach (var connection in live)
        {
            if (connection.Presence > presence)
            {
                presence = connection.Presence;
            }

            if (connection.Activity.Kind != ActivityKind.None && Wins(connection, Ms(connection.ActivityAt), activity, a => Ms(a.ActivityAt)))
            {
                activity = connection;
            }

            if (Wins(connection, Ms(connection.StatusAt), status, s => Ms(s.StatusAt)))
            {
                status = connection;
            }
        }

        return new UserAwareness(userId, presence, activity?.Activity ?? Activity.None, status?.StatusText);
    }

    /// <summary>When this user next needs a look: the earliest lease end or typing deadline.</summary>
    public static long? NextDue(IEnumerable<ConnectionAwareness> live)
    {
        long? next = null;
        foreach (var connection in live)
        {
            var due = Ms(connection.LeaseUntil);
            if (connection.Activity.Kind == ActivityKind.Typing && connection.TypingUntil is { } until && Ms(until) < due)
            {
                due = Ms(until);
            }

            next = next is null || due < next ? due : next;
        }

        return next;
    }

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static bool Wins(ConnectionAwareness candidate, long candidateAt, ConnectionAwareness? best, Func<ConnectionAwareness, long> at) =>
        best is null
        || candidateAt > at(best)
        || (candidateAt == at(best) && string.CompareOrdinal(candidate.ConnectionId, best.ConnectionId) < 0);
}
