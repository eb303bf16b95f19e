using System.Collections.Concurrent;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// The bindings this instance's registrar wrote and that have neither expired nor been removed, for the live
/// registrations gauge. The store itself may be shared (Redis) and counting it would mean a scan; this is the
/// instance's share, one entry per binding it holds (a refresh replaces its entry), pruned as it is read.
/// </summary>
public sealed class LiveRegistrations(ISipBindingStore inner, TimeProvider time) : ISipBindingStore
{
    private readonly ConcurrentDictionary<(string Aor, string Contact), DateTimeOffset> expiries = new();

    /// <summary>Bindings written here that are still live.</summary>
    public int Count
    {
        get
        {
            var now = time.GetUtcNow();
            foreach (var (key, expiresAt) in expiries)
            {
                if (expiresAt <= now)
                {
                    expiries.TryRemove(new KeyValuePair<(string, string), DateTimeOffset>(key, expiresAt));
                }
            }

            return expiries.Count;
        }
    }

    public ValueTask<IReadOnlyList<SipBinding>> GetAsync(string addressOfRecord, CancellationToken cancellationToken = default) =>
        inner.GetAsync(addressOfRecord, cancellationToken);

    public ValueTask<IReadOnlyList<SipBinding>> GetByUserAsync(string userId, CancellationToken cancellationToken = default) =>
        inner.GetByUserAsync(userId, cancellationToken);

    public async ValueTask SetAsync(SipBinding binding, CancellationToken cancellationToken = default)
    {
        await inner.SetAsync(binding, cancellationToken).ConfigureAwait(false);
        expiries[(binding.AddressOfRecord, binding.ContactUri)] = binding.ExpiresAt;
    }

    public async ValueTask RemoveAsync(string addressOfRecord, string contactUri, CancellationToken cancellationToken = default)
    {
        await inner.RemoveAsync(addressOfRecord, contactUri, cancellationToken).ConfigureAwait(false);
        expiries.TryRemove((addressOfRecord, contactUri), out _);
    }
}
