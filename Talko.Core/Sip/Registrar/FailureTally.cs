using System.Collections.Concurrent;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// Failures per key in a fixed window, a block once a ceiling is reached, and the time of the last success. Memory is
/// bounded by <c>maxEntries</c>: entries that are neither counting, blocked nor remembering a success go first, then
/// the table sheds a tenth so that an address spraying usernames cannot grow it without bound.
/// </summary>
internal sealed class FailureTally<TKey>(int maxEntries, TimeSpan window, TimeSpan successMemory, TimeProvider time) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> entries = new();

    public bool IsBlocked(TKey key)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        lock (entry)
        {
            return entry.BlockedUntil > time.GetUtcNow();
        }
    }

    /// <summary>Failures counted in the current window.</summary>
    public int Failures(TKey key)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return 0;
        }

        lock (entry)
        {
            return time.GetUtcNow() - entry.WindowStart > window ? 0 : entry.Failures;
        }
    }

    public bool SucceededRecently(TKey key)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        lock (entry)
        {
            return entry.LastSuccess is { } at && time.GetUtcNow() - at <= successMemory;
        }
    }

    /// <summary>Counts one failure; at <paramref name="ceiling"/> failures in the window the key is blocked for <paramref name="blockFor"/>.</summary>
    public void RecordFailure(TKey key, int ceiling, TimeSpan blockFor)
    {
        var now = time.GetUtcNow();
        var entry = GetOrAdd(key, now);
        lock (entry)
        {
            if (now - entry.WindowStart > window)
            {
                entry.WindowStart = now;
                entry.Failures = 0;
            }
            if (++entry.Failures >= ceiling)
            {
                entry.BlockedUntil = now + blockFor;
            }
        }
    }

    public void RecordSuccess(TKey key)
    {
        var now = time.GetUtcNow();
        var entry = GetOrAdd(key, now);
        lock (entry)
        {
            entry.LastSuccess = now;
        }
    }

    private Entry GetOrAdd(TKey key, DateTimeOffset now)
    {
        // A known key (every re-registering device) skips the count: a concurrent dictionary counts under all its locks.
        if (entries.TryGetValue(key, out var known))
        {
            return known;
        }

        if (entries.Count >= maxEntries)
        {
            Prune(now);
        }

        return entries.GetOrAdd(key, _ => new Entry { WindowStart = now });
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in entries)
        {
            bool stale;
            lock (entry)
            {
                stale = entry.BlockedUntil <= now && now - entry.WindowStart > window
                    && (entry.LastSuccess is not { } at || now - at > successMemory);
            }

            if (stale)
            {
                entries.TryRemove(key, out _);
            }
        }
        // Still full of live entries: forget a tenth rather than grow without bound or prune on every failure.
        foreach (var key in entries.Keys.Take(Math.Max(0, entries.Count - maxEntries * 9 / 10)))
        {
            entries.TryRemove(key, out _);
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset WindowStart;
        public int Failures;
        public DateTimeOffset BlockedUntil;
        public DateTimeOffset? LastSuccess;
    }
}
