using System.Collections.Concurrent;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Transactions;

/// <summary>
/// The Completed state of UDP non-INVITE server transactions (RFC 3261 section 17.2.2) in compact form: for Timer J
/// (64*T1) a transaction only has to answer retransmissions of its request with its final response, so the layer
/// keeps just the key, the response bytes and where to send them, not the parsed request, the response object and a
/// timer per transaction (ADR 0161). Entries expire in arrival order (Timer J is the same for all), swept by one
/// timer; beyond <see cref="Capacity"/> the oldest entry is dropped, which only costs absorbing a very late retransmission.
/// </summary>
internal sealed class CompletedServerTransactions
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Entry> order = new();
    private readonly TimeProvider time;
    private readonly TimeSpan lifetime;
    private readonly Action<Entry> onExpired;
    private readonly Lock sweepGate = new();
    private readonly Lock dequeueGate = new(); // peek-then-dequeue must not interleave with another dequeuer
    private ITimer? sweeper;
    private long evicted;
    private int count; // ConcurrentDictionary.Count takes every lock; this is read on each Add

    /// <param name="time">The clock Timer J runs on.</param>
    /// <param name="lifetime">Timer J (64*T1).</param>
    /// <param name="capacity">Most entries held; the oldest is dropped beyond it.</param>
    /// <param name="onExpired">Called with each entry that leaves the table (expired or evicted).</param>
    public CompletedServerTransactions(TimeProvider time, TimeSpan lifetime, int capacity, Action<Entry> onExpired)
    {
        this.time = time;
        this.lifetime = lifetime;
        this.onExpired = onExpired;
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Entries whose Timer J has not fired (expired ones are swept first).</summary>
    public int Count
    {
        get
        {
            Sweep();
            return Volatile.Read(ref count);
        }
    }

    /// <summary>Entries dropped before their Timer J because the table was full.</summary>
    public long Evicted => Interlocked.Read(ref evicted);

    /// <summary>Holds a completed transaction's final response until Timer J; an older entry with the same key is replaced.</summary>
    public void Add(string key, byte[] response, SipVia topVia, SipSource? source, string? mergeKey)
    {
        var entry = new Entry(key, response, topVia, source, mergeKey, time.GetTimestamp() + (long)(lifetime.TotalSeconds * time.TimestampFrequency));
        while (true)
        {
            if (entries.TryAdd(key, entry))
            {
                Interlocked.Increment(ref count);
                break;
            }

            if (entries.TryGetValue(key, out var older) && entries.TryUpdate(key, entry, older))
            {
                break;
            }
        }

        order.Enqueue(entry);
        if (Volatile.Read(ref count) > Capacity)
        {
            lock (dequeueGate)
            {
                while (Volatile.Read(ref count) > Capacity && order.TryDequeue(out var oldest))
                {
                    if (Forget(oldest))
                    {
                        Interlocked.Increment(ref evicted);
                    }
                }
            }
        }

        EnsureSweeping();
    }

    /// <summary>The entry for a retransmitted request, if its Timer J has not fired.</summary>
    public bool TryGet(string key, out Entry entry)
    {
        if (entries.TryGetValue(key, out entry!) && entry.ExpiresAt > time.GetTimestamp())
        {
            return true;
        }

        entry = null!;
        return false;
    }

    public bool Contains(string key) => TryGet(key, out _);

    /// <summary>Drops every entry whose Timer J has fired; returns whether any remain.</summary>
    internal bool Sweep()
    {
        var now = time.GetTimestamp();
        lock (dequeueGate)
        {
            while (order.TryPeek(out var head) && head.ExpiresAt <= now && order.TryDequeue(out var expired))
            {
                Forget(expired);
            }
        }

        return !order.IsEmpty;
    }

    // Removes the entry only if it is still the one queued (a retransmitted key may have been re-added since).
    private bool Forget(Entry entry)
    {
        if (!entries.TryRemove(new KeyValuePair<string, Entry>(entry.Key, entry)))
        {
            return false;
        }

        Interlocked.Decrement(ref count);
        onExpired(entry);
        return true;
    }

    // One timer for the whole table, armed while it holds entries; it fires every eighth of Timer J.
    private void EnsureSweeping()
    {
        lock (sweepGate)
        {
            sweeper ??= time.CreateTimer(_ => OnSweep(), null, lifetime / 8, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSweep()
    {
        var more = Sweep();
        lock (sweepGate)
        {
            sweeper?.Dispose();
            sweeper = null;
            if (more || !order.IsEmpty)
            {
                sweeper = time.CreateTimer(_ => OnSweep(), null, lifetime / 8, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>A completed transaction: its final response as sent, the Via and source that route a resend, its merge-index key.</summary>
    internal sealed record Entry(string Key, byte[] Response, SipVia TopVia, SipSource? Source, string? MergeKey, long ExpiresAt);
}
