using System.Collections.Concurrent;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// Bindings in process memory, indexed by address-of-record so a REGISTER reads only its own address's contacts;
/// expiry is checked on read against the <see cref="TimeProvider"/>. An address keeps its (small, empty) contact table
/// once its last binding goes: addresses are accounts' own, authenticated before anything is stored.
/// </summary>
public sealed class InMemorySipBindingStore(TimeProvider time) : ISipBindingStore
{
    private readonly ConcurrentDictionary<string, Dictionary<string, SipBinding>> byAddress = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<SipBinding>> GetAsync(string addressOfRecord, CancellationToken cancellationToken = default)
    {
        var result = new List<SipBinding>();
        if (byAddress.TryGetValue(addressOfRecord, out var contacts))
        {
            CollectLive(contacts, time.GetUtcNow(), _ => true, result);
        }

        return ValueTask.FromResult<IReadOnlyList<SipBinding>>(result);
    }

    /// <summary>Every address's contacts are read: a user's devices may register under several addresses.</summary>
    public ValueTask<IReadOnlyList<SipBinding>> GetByUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var result = new List<SipBinding>();
        foreach (var contacts in byAddress.Values)
        {
            CollectLive(contacts, now, b => b.UserId == userId, result);
        }

        return ValueTask.FromResult<IReadOnlyList<SipBinding>>(result);
    }

    public ValueTask SetAsync(SipBinding binding, CancellationToken cancellationToken = default)
    {
        var contacts = byAddress.GetOrAdd(binding.AddressOfRecord, _ => new Dictionary<string, SipBinding>(StringComparer.Ordinal));
        lock (contacts)
        {
            contacts[binding.ContactUri] = binding;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string addressOfRecord, string contactUri, CancellationToken cancellationToken = default)
    {
        if (byAddress.TryGetValue(addressOfRecord, out var contacts))
        {
            lock (contacts)
            {
                contacts.Remove(contactUri);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Adds the unexpired bindings that match to <paramref name="into"/> and drops the expired ones.</summary>
    private static void CollectLive(Dictionary<string, SipBinding> contacts, DateTimeOffset now, Func<SipBinding, bool> match, List<SipBinding> into)
    {
        lock (contacts)
        {
            List<string>? expired = null;
            foreach (var (contact, binding) in contacts)
            {
                if (binding.ExpiresAt <= now)
                {
                    (expired ??= []).Add(contact);
                }
                else if (match(binding))
                {
                    into.Add(binding);
                }
            }

            expired?.ForEach(contact => contacts.Remove(contact));
        }
    }
}
