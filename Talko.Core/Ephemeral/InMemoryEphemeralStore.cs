namespace Talko.Core.Ephemeral;

/// <summary>
/// The embedded (single instance) ephemeral store. One lock makes every operation atomic, as a Lua
/// script is on Redis; expiry is checked against <see cref="TimeProvider"/> so tests can drive time.
/// </summary>
public sealed class InMemoryEphemeralStore(TimeProvider time) : IEphemeralStore
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private long operationsSinceSweep;

    public Task<string?> GetAsync(string key)
    {
        lock (gate)
        {
            return Task.FromResult(Live(key)?.Value);
        }
    }

    public Task<IReadOnlyDictionary<string, string>> GetManyAsync(IReadOnlyCollection<string> keys)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        lock (gate)
        {
            foreach (var key in keys)
            {
                if (Live(key)?.Value is { } value)
                {
                    result[key] = value;
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, string>>(result);
    }

    public Task SetAsync(string key, string value, TimeSpan? ttl)
    {
        lock (gate)
        {
            entries[key] = new Entry { Value = value, ExpiresAt = ExpiryFor(ttl) };
        }

        return Task.CompletedTask;
    }

    public Task<bool> SetIfAbsentAsync(string key, string value, TimeSpan ttl)
    {
        lock (gate)
        {
            if (Live(key) is not null)
            {
                return Task.FromResult(false);
            }

            entries[key] = new Entry { Value = value, ExpiresAt = ExpiryFor(ttl) };
            return Task.FromResult(true);
        }
    }

    public Task<bool> CompareAndSetAsync(string key, string expected, string value, TimeSpan? ttl)
    {
        lock (gate)
        {
            if (Live(key) is not { } entry || entry.Value != expected)
            {
                return Task.FromResult(false);
            }

            entry.Value = value;
            if (ttl is not null)
            {
                entry.ExpiresAt = ExpiryFor(ttl);
            }

            return Task.FromResult(true);
        }
    }

    public Task<bool> CompareAndExpireAsync(string key, string expected, TimeSpan ttl)
    {
        lock (gate)
        {
            if (Live(key) is not { } entry || entry.Value != expected)
            {
                return Task.FromResult(false);
            }

            entry.ExpiresAt = ExpiryFor(ttl);
            return Task.FromResult(true);
        }
    }

    public Task<bool> CompareAndDeleteAsync(string key, string expected)
    {
        lock (gate)
        {
            return Task.FromResult(Live(key) is { } entry && entry.Value == expected && entries.Remove(key));
        }
    }

    public Task<bool> DeleteAsync(string key)
    {
        lock (gate)
        {
            return Task.FromResult(Live(key) is not null && entries.Remove(key));
        }
    }

    public Task<bool> ExpireAsync(string key, TimeSpan ttl)
    {
        lock (gate)
        {
            if (Live(key) is not { } entry)
            {
                return Task.FromResult(false);
            }

            entry.ExpiresAt = ExpiryFor(ttl);
            return Task.FromResult(true);
        }
    }

    public Task<TimeSpan?> GetTimeToLiveAsync(string key)
    {
        lock (gate)
        {
            return Task.FromResult(Live(key)?.ExpiresAt is { } expiresAt ? expiresAt - time.GetUtcNow() : (TimeSpan?)null);
        }
    }

    public Task<long> IncrementAsync(string key, long by, TimeSpan window)
    {
        lock (gate)
        {
            if (Live(key) is not { } entry)
            {
                entries[key] = new Entry { Value = by.ToString(System.Globalization.CultureInfo.InvariantCulture), ExpiresAt = ExpiryFor(window) };
                return Task.FromResult(by);
            }

            var next = long.Parse(entry.Value ?? "0", System.Globalization.CultureInfo.InvariantCulture) + by;
            entry.Value = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(next);
        }
    }

    public Task<bool> SetAddAsync(string key, string member)
    {
        lock (gate)
        {
            return Task.FromResult(AddMember(key, member).Added);
        }
    }

    public Task<bool> SetAddAndKeepAsync(string key, string member, TimeSpan lifetime)
    {
        lock (gate)
        {
            var (entry, added) = AddMember(key, member);
            KeepAtLeast(entry, lifetime);
            return Task.FromResult(added);
        }
    }

    public Task<bool> SetRemoveAsync(string key, string member)
    {
        lock (gate)
        {
            return Task.FromResult(Live(key)?.Members?.Remove(member) ?? false);
        }
    }

    public Task<IReadOnlyCollection<string>> SetMembersAsync(string key)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyCollection<string>>(Live(key)?.Members?.ToArray() ?? []);
        }
    }

    public Task HashSetAndKeepAsync(string key, string field, string value, TimeSpan lifetime)
    {
        lock (gate)
        {
            var entry = LiveOrNew(key);
            entry.Fields ??= new Dictionary<string, string>(StringComparer.Ordinal);
            entry.Fields[field] = value;
            KeepAtLeast(entry, lifetime);
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, string>>(
                Live(key)?.Fields is { } fields ? new Dictionary<string, string>(fields, StringComparer.Ordinal) : new Dictionary<string, string>());
        }
    }

    public Task<bool> HashDeleteAsync(string key, string field)
    {
        lock (gate)
        {
            return Task.FromResult(RemoveField(key, field, expected: null));
        }
    }

    public Task<bool> HashCompareAndDeleteAsync(string key, string field, string expected)
    {
        lock (gate)
        {
            return Task.FromResult(RemoveField(key, field, expected));
        }
    }

    public Task SortedSetRaiseAndKeepAsync(string key, string member, double score, TimeSpan lifetime)
    {
        lock (gate)
        {
            var entry = LiveOrNew(key);
            entry.Scores ??= new Dictionary<string, double>(StringComparer.Ordinal);
            if (!entry.Scores.TryGetValue(member, out var current) || current < score)
            {
                entry.Scores[member] = score;
            }

            KeepAtLeast(entry, lifetime);
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyCollection<string>> SortedSetRemoveBelowAndReadAsync(string key, double minScore)
    {
        lock (gate)
        {
            if (Live(key)?.Scores is not { } scores)
            {
                return Task.FromResult<IReadOnlyCollection<string>>([]);
            }

            foreach (var (member, score) in scores.ToArray())
            {
                if (score < minScore)
                {
                    scores.Remove(member);
                }
            }

            if (scores.Count == 0)
            {
                entries.Remove(key);
            }

            return Task.FromResult<IReadOnlyCollection<string>>(scores.OrderBy(s => s.Value).Select(s => s.Key).ToArray());
        }
    }

    /// <summary>Removes a field (only if it holds <paramref name="expected"/>, when given); Redis drops a hash whose last field goes.</summary>
    private bool RemoveField(string key, string field, string? expected)
    {
        if (Live(key)?.Fields is not { } fields || !fields.TryGetValue(field, out var value) || (expected is not null && value != expected))
        {
            return false;
        }

        fields.Remove(field);
        if (fields.Count == 0)
        {
            entries.Remove(key);
        }

        return true;
    }

    /// <summary>The live entry, or a new empty one in its place (a missing or expired key starts afresh, as on Redis).</summary>
    private Entry LiveOrNew(string key)
    {
        if (Live(key) is not { } entry)
        {
            entry = new Entry();
            entries[key] = entry;
        }

        return entry;
    }

    /// <summary>Makes the entry live at least <paramref name="lifetime"/> from now; a longer remaining lifetime is kept.</summary>
    private void KeepAtLeast(Entry entry, TimeSpan lifetime)
    {
        var until = time.GetUtcNow() + lifetime;
        if (entry.ExpiresAt is not { } expiresAt || expiresAt < until)
        {
            entry.ExpiresAt = until;
        }
    }

    private (Entry Set, bool Added) AddMember(string key, string member)
    {
        var entry = LiveOrNew(key);
        entry.Members ??= new HashSet<string>(StringComparer.Ordinal);
        return (entry, entry.Members.Add(member));
    }

    private DateTimeOffset? ExpiryFor(TimeSpan? ttl) => ttl is { } t ? time.GetUtcNow() + t : null;

    /// <summary>The entry if it exists and has not expired; expired entries are removed on sight.</summary>
    private Entry? Live(string key)
    {
        SweepOccasionally();
        if (!entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            entries.Remove(key);
            return null;
        }

        return entry;
    }

    /// <summary>Keys nobody reads again would otherwise stay forever; sweep every few thousand operations.</summary>
    private void SweepOccasionally()
    {
        if (++operationsSinceSweep < 4096)
        {
            return;
        }

        operationsSinceSweep = 0;
        var now = time.GetUtcNow();
        foreach (var (key, entry) in entries.ToArray())
        {
            if (entry.ExpiresAt is { } expiresAt && expiresAt <= now)
            {
                entries.Remove(key);
            }
        }
    }

    private sealed class Entry
    {
        public string? Value { get; set; }

        public HashSet<string>? Members { get; set; }

        public Dictionary<string, string>? Fields { get; set; }

        public Dictionary<string, double>? Scores { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }
    }
}
