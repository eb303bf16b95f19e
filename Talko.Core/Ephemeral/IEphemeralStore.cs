namespace Talko.Core.Ephemeral;

/// <summary>
/// Ephemeral shared state: values that clients rebuild within seconds if lost (call ownership, SIP
/// bindings, awareness, the instance registry). Every key expires unless told otherwise, and every
/// read-modify-write is one atomic operation (a Lua script on Redis) so concurrent instances never
/// corrupt it. Key names come from <see cref="KeySpace"/>.
/// </summary>
public interface IEphemeralStore
{
    Task<string?> GetAsync(string key);

    /// <summary>Reads several keys at once; missing keys are absent from the result.</summary>
    Task<IReadOnlyDictionary<string, string>> GetManyAsync(IReadOnlyCollection<string> keys);

    /// <summary>Sets a value; a null <paramref name="ttl"/> stores it without expiry.</summary>
    Task SetAsync(string key, string value, TimeSpan? ttl);

    /// <summary>Sets a value only if the key does not exist (a claim). True if this call set it.</summary>
    Task<bool> SetIfAbsentAsync(string key, string value, TimeSpan ttl);

    /// <summary>
    /// Replaces the value only if it currently equals <paramref name="expected"/>. A null
    /// <paramref name="ttl"/> keeps the key's remaining time to live.
    /// </summary>
    Task<bool> CompareAndSetAsync(string key, string expected, string value, TimeSpan? ttl);

    /// <summary>Extends the time to live only if the value equals <paramref name="expected"/> (renewing a claim one still holds).</summary>
    Task<bool> CompareAndExpireAsync(string key, string expected, TimeSpan ttl);

    /// <summary>Deletes the key only if its value equals <paramref name="expected"/> (releasing one's own claim).</summary>
    Task<bool> CompareAndDeleteAsync(string key, string expected);

    Task<bool> DeleteAsync(string key);

    Task<bool> ExpireAsync(string key, TimeSpan ttl);

    /// <summary>The remaining time to live, or null if the key is missing or does not expire.</summary>
    Task<TimeSpan?> GetTimeToLiveAsync(string key);

    /// <summary>
    /// Adds <paramref name="by"/> to a counter; the first increment starts its <paramref name="window"/>
    /// (a fixed-window rate counter). Returns the new value.
    /// </summary>
    Task<long> IncrementAsync(string key, long by, TimeSpan window);

    Task<bool> SetAddAsync(string key, string member);

    /// <summary>
    /// Adds a member, then makes the set live at least <paramref name="lifetime"/> from now (a longer remaining
    /// lifetime is kept; a set without expiry gets one), in one atomic step: an index that lives as long as its
    /// longest entry. True if the member was new.
    /// </summary>
    Task<bool> SetAddAndKeepAsync(string key, string member, TimeSpan lifetime);

    Task<bool> SetRemoveAsync(string key, string member);

    Task<IReadOnlyCollection<string>> SetMembersAsync(string key);

    /// <summary>
    /// Sets one field of a hash, then makes the hash live at least <paramref name="lifetime"/> from now (a longer
    /// remaining lifetime is kept), in one atomic step: a record of entries that lives as long as its longest entry.
    /// </summary>
    Task HashSetAndKeepAsync(string key, string field, string value, TimeSpan lifetime);

    /// <summary>Every field of a hash; empty when the hash is missing.</summary>
    Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key);

    /// <summary>Removes one field of a hash (a hash left empty is gone). True if it existed.</summary>
    Task<bool> HashDeleteAsync(string key, string field);

    /// <summary>Removes one field of a hash only if its value equals <paramref name="expected"/> (pruning what one read as stale).</summary>
    Task<bool> HashCompareAndDeleteAsync(string key, string field, string expected);

    /// <summary>
    /// Adds a member to a sorted set, or raises its score (a lower score is ignored), then makes the set live at least
    /// <paramref name="lifetime"/> from now (a longer remaining lifetime is kept), in one atomic step. With expiry
    /// times as scores: an index whose entries say until when they matter.
    /// </summary>
    Task SortedSetRaiseAndKeepAsync(string key, string member, double score, TimeSpan lifetime);

    /// <summary>Removes the members scored below <paramref name="minScore"/>, then returns the rest, in one atomic step.</summary>
    Task<IReadOnlyCollection<string>> SortedSetRemoveBelowAndReadAsync(string key, double minScore);
}
