namespace Talko.Core.Sip.Registrar;

public enum NonceCountOutcome
{
    /// <summary>The nonce-count is higher than any seen for this nonce: the request is fresh.</summary>
    Advanced,
    /// <summary>The nonce-count was seen already for this nonce: a replay.</summary>
    Replayed,
    /// <summary>The nonce may have been forgotten, so its counts are unknown: challenge again as stale.</summary>
    Forgotten,
}

/// <summary>When a nonce was issued, and its place in this process's issue order (which a clock step cannot change).</summary>
public readonly record struct NonceStamp(DateTimeOffset Issued, long Sequence);

/// <summary>
/// The highest nonce-count seen for each nonce in use, which is what refuses a replayed digest (RFC 3261 section
/// 22.4): the digest covers only the method and Request-URI, so a captured Authorization header replayed with another
/// Contact would otherwise register an attacker's address for the victim.
/// <para>
/// Bounded by <c>capacity</c>. Whatever it forgets (expired nonces first, then, when still full, the earliest-used
/// tenth) raises a floor on the issue sequence, and every nonce at or under the floor is refused as forgotten from then
/// on: a nonce whose counts the table no longer knows is never accepted again, however many other nonces an
/// authenticated client burns to push it out. Its owner is re-challenged with stale=true and carries on with a fresh
/// nonce, which is always above the floor, so nobody is locked out.
/// </para>
/// </summary>
public sealed class NonceCountTable
{
    private readonly int capacity;
    private readonly TimeSpan lifetime;
    private readonly Dictionary<string, long> lastCounts = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, NonceStamp Stamp)> byFirstUse = new();
    private long forgottenUpTo = -1;

    public NonceCountTable(int capacity, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
        this.lifetime = lifetime;
    }

    public int Count
    {
        get
        {
            lock (lastCounts)
            {
                return lastCounts.Count;
            }
        }
    }

    /// <summary>Records <paramref name="count"/> for <paramref name="nonce"/>, issued as <paramref name="stamp"/> says.</summary>
    public NonceCountOutcome Advance(string nonce, NonceStamp stamp, long count, DateTimeOffset now)
    {
        lock (lastCounts)
        {
            if (stamp.Sequence <= forgottenUpTo)
            {
                return NonceCountOutcome.Forgotten;
            }

            if (lastCounts.TryGetValue(nonce, out var last))
            {
                if (count <= last)
                {
                    return NonceCountOutcome.Replayed;
                }

                lastCounts[nonce] = count;
                return NonceCountOutcome.Advanced;
            }

            MakeRoom(now);
            if (stamp.Sequence <= forgottenUpTo)
            {
                return NonceCountOutcome.Forgotten; // issued before one just forgotten
            }

            lastCounts.Add(nonce, count);
            byFirstUse.Enqueue((nonce, stamp));
            return NonceCountOutcome.Advanced;
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        // Expired nonces are answered stale before they get here; forgetting them still raises the floor, so a request
        // that checked the lifetime a moment before this one cannot bring an expired nonce back.
        var expiredBefore = now - lifetime;
        while (byFirstUse.TryPeek(out var earliest) && earliest.Stamp.Issued < expiredBefore)
        {
            ForgetEarliest();
        }

        // Still full of live nonces: forget a tenth at once, so this is paid once per tenth of the capacity.
        if (lastCounts.Count >= capacity)
        {
            for (var forget = Math.Max(1, capacity / 10); forget > 0 && byFirstUse.Count > 0; forget--)
            {
                ForgetEarliest();
            }
        }
    }

    private void ForgetEarliest()
    {
        var (nonce, stamp) = byFirstUse.Dequeue();
        lastCounts.Remove(nonce);
        forgottenUpTo = Math.Max(forgottenUpTo, stamp.Sequence);
    }
}
