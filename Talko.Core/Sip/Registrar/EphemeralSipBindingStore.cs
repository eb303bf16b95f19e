using Talko.Core.Ephemeral;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// Bindings in the ephemeral store (Redis when scaled out), so every instance can find any device (ADR 0932).
/// An address-of-record's bindings are one hash, contact URI to binding, that lives as long as its longest binding:
/// a REGISTER reads it with one command and writes it with one script. A user's addresses-of-record are a sorted set
/// scored by when their bindings expire, for ringing every device of a user. Expired entries are pruned on read,
/// so nothing needs a sweep.
/// </summary>
public sealed class EphemeralSipBindingStore(IEphemeralStore store, KeySpace keys, TimeProvider time) : ISipBindingStore
{
    private readonly LegacySipBindingLayout legacy = new(store, keys, time);

    public async ValueTask<IReadOnlyList<SipBinding>> GetAsync(string addressOfRecord, CancellationToken cancellationToken = default)
    {
        var current = ReadAddressAsync(addressOfRecord);
        var older = legacy.GetAsync(addressOfRecord);
        return Merge(await current.ConfigureAwait(false), await older.ConfigureAwait(false));
    }

    public async ValueTask<IReadOnlyList<SipBinding>> GetByUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var older = legacy.GetByUserAsync(userId);
        var addresses = await store.SortedSetRemoveBelowAndReadAsync(keys.SipAddressesOfUser(userId), Score(time.GetUtcNow()))
            .ConfigureAwait(false);
        var perAddress = await Task.WhenAll(addresses.Select(ReadAddressAsync)).ConfigureAwait(false);
        var current = perAddress.SelectMany(bindings => bindings).Where(b => b.UserId == userId).ToList();
        return Merge(current, await older.ConfigureAwait(false));
    }

    public async ValueTask SetAsync(SipBinding binding, CancellationToken cancellationToken = default)
    {
        var ttl = binding.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            await RemoveAsync(binding.AddressOfRecord, binding.ContactUri, cancellationToken).ConfigureAwait(false);
            return;
        }

        // One round trip: both keys at once. Neither needs the other first: a reader finds the address through the
        // user's index and only then reads the binding, and an address whose hash has nothing of the user's is
        // skipped; the index entry's score keeps it until the binding's expiry.
        await Task.WhenAll(
            store.HashSetAndKeepAsync(keys.SipContactsOfAddress(binding.AddressOfRecord), binding.ContactUri,
                StoredSipBinding.Serialize(binding), ttl),
            store.SortedSetRaiseAndKeepAsync(keys.SipAddressesOfUser(binding.UserId), binding.AddressOfRecord,
                Score(binding.ExpiresAt), ttl)).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string addressOfRecord, string contactUri, CancellationToken cancellationToken = default)
    {
        // The user's index keeps the address until its score passes; reads skip an address without the user's bindings.
        await Task.WhenAll(
            store.HashDeleteAsync(keys.SipContactsOfAddress(addressOfRecord), contactUri),
            legacy.RemoveAsync(addressOfRecord, contactUri)).ConfigureAwait(false);
    }

    private async Task<List<SipBinding>> ReadAddressAsync(string addressOfRecord)
    {
        var key = keys.SipContactsOfAddress(addressOfRecord);
        var fields = await store.HashGetAllAsync(key).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var live = new List<SipBinding>(fields.Count);
        foreach (var (contact, json) in fields)
        {
            if (StoredSipBinding.Parse(json) is { } binding && binding.ExpiresAt > now && binding.ContactUri == contact)
            {
                live.Add(binding);
            }
            else
            {
                // Only the value read: a REGISTER refreshing this contact meanwhile wrote a new one, which stays.
                await store.HashCompareAndDeleteAsync(key, contact, json).ConfigureAwait(false);
            }
        }

        return live;
    }

    /// <summary>Bindings from both layouts; the new layout's wins for a contact held in both (it was written later).</summary>
    private static List<SipBinding> Merge(List<SipBinding> current, List<SipBinding> older)
    {
        foreach (var binding in older)
        {
            if (!current.Exists(b => b.AddressOfRecord == binding.AddressOfRecord && b.ContactUri == binding.ContactUri))
            {
                current.Add(binding);
            }
        }

        return current;
    }

    /// <summary>Expiry as a sorted-set score: Unix milliseconds, exact in a double.</summary>
    private static double Score(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
}
