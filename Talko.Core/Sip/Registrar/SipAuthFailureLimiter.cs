using System.Collections.Concurrent;
using System.Net;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// Counts failed authentications per source address and blocks a source that fails too often, so that a
/// scanner cannot try passwords at line rate. Memory is bounded by <see cref="SipDigestOptions.MaxTrackedSources"/>.
/// </summary>
public sealed class SipAuthFailureLimiter(SipDigestOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<IPAddress, Entry> sources = new();

    public bool IsBlocked(IPAddress source)
    {
        if (!sources.TryGetValue(source, out var entry)) return false;
        lock (entry) return entry.BlockedUntil > time.GetUtcNow();
    }

    public void RecordFailure(IPAddress source)
    {
        var now = time.GetUtcNow();
        if (sources.Count >= options.MaxTrackedSources) Prune(now);
        var entry = sources.GetOrAdd(source, _ => new Entry { WindowStart = now });
        lock (entry)
        {
            if (now - entry.WindowStart > options.FailureWindow)
            {
                entry.WindowStart = now;
                entry.Failures = 0;
            }
            if (++entry.Failures >= options.MaxFailuresPerSource) entry.BlockedUntil = now + options.BlockDuration;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, entry) in sources)
        {
            bool stale;
            lock (entry) stale = entry.BlockedUntil <= now && now - entry.WindowStart > options.FailureWindow;
            if (stale) sources.TryRemove(address, out _);
        }
        // Still full of live entries: forget a tenth rather than grow without bound or prune on every failure.
        foreach (var address in sources.Keys.Take(Math.Max(0, sources.Count - options.MaxTrackedSources * 9 / 10)))
            sources.TryRemove(address, out _);
    }

    private sealed class Entry
    {
        public DateTimeOffset WindowStart;
        public int Failures;
        public DateTimeOffset BlockedUntil;
    }
}
