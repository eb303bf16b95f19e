using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Talko.Core.Eventing;

namespace Talko.Server.Features.Accounts;

/// <summary>
/// The SIP registrar's recent credential lookups, so a phone's REGISTER refreshes and re-challenges do not each take a
/// database round trip (ADR 0207). An entry lives <see cref="AccountsOptions.SipCredentialCacheDuration"/>; a device
/// whose secret is rotated or whose access is revoked is forgotten at once here and, through
/// <see cref="SipCredentialInvalidation"/>, on every instance. A lost invalidation is covered by the entry's lifetime,
/// and nothing cached is used while the backplane is down or was cached before it came back, since invalidations
/// published meanwhile may never have arrived (as for device checks, ADR 0205). Only found credentials are kept: an
/// unknown username costs a lookup each time, so a stranger's guesses cannot fill this instance's memory.
/// </summary>
public sealed class SipCredentialCache
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly IOptions<AccountsOptions> options;
    private readonly IBackplaneHealth backplane;
    private readonly TimeProvider time;

    /// <summary>Bumped by every invalidation: a lookup that started before one must not store what it read.</summary>
    private long generation;

    public SipCredentialCache(IOptions<AccountsOptions> options, IBackplaneHealth backplane, TimeProvider time)
    {
        this.options = options;
        this.backplane = backplane;
        this.time = time;
        backplane.Restored += Clear;
    }

    /// <summary>Taken before a database lookup and handed to <see cref="Remember"/>.</summary>
    public long Generation => Interlocked.Read(ref generation);

    public bool TryGet(string username, out SipDeviceCredential? credential)
    {
        credential = null;
        if (!backplane.IsConnected || !entries.TryGetValue(username, out var entry))
        {
            return false;
        }

        if (time.GetUtcNow() >= entry.Expires)
        {
            entries.TryRemove(KeyValuePair.Create(username, entry));
            return false;
        }

        credential = entry.Credential;
        return true;
    }

    /// <summary>Keeps what a lookup found, unless an invalidation happened since <paramref name="lookupGeneration"/>.</summary>
    public void Remember(SipDeviceCredential credential, long lookupGeneration)
    {
        var lifetime = options.Value.SipCredentialCacheDuration;
        if (lifetime <= TimeSpan.Zero || !backplane.IsConnected || lookupGeneration != Generation)
        {
            return;
        }

        if (entries.Count >= options.Value.SipCredentialCacheMaxEntries)
        {
            Prune();
            if (entries.Count >= options.Value.SipCredentialCacheMaxEntries)
            {
                return;
            }
        }

        entries[credential.Username] = new Entry(credential, time.GetUtcNow() + lifetime);
        if (lookupGeneration != Generation)
        {
            // An invalidation raced the store: it may have missed this entry.
            entries.TryRemove(credential.Username, out _);
        }
    }

    /// <summary>These devices' credentials changed or are gone: the next REGISTER from them is checked in the database.</summary>
    public void Forget(IEnumerable<Guid> deviceIds)
    {
        var forgotten = deviceIds.ToHashSet();
        Interlocked.Increment(ref generation);
        foreach (var (username, entry) in entries)
        {
            if (forgotten.Contains(entry.Credential.DeviceId))
            {
                entries.TryRemove(username, out _);
            }
        }
    }

    public void Clear()
    {
        Interlocked.Increment(ref generation);
        entries.Clear();
    }

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (username, entry) in entries)
        {
            if (now >= entry.Expires)
            {
                entries.TryRemove(username, out _);
            }
        }
    }

    private sealed record Entry(SipDeviceCredential Credential, DateTimeOffset Expires);
}
