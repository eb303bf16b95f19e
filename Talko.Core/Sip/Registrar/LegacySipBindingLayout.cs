using Talko.Core.Ephemeral;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// The binding layout before ADR 0932: a key per binding, pointed at by an index set per address-of-record and per
/// user. Nothing writes it any more; it is read and removed from for one release, so that an instance started in a
/// blue/green switch finds the devices that registered with the release before it, until they refresh (then the
/// new layout holds them) or expire. Delete this class in the release after.
/// </summary>
internal sealed class LegacySipBindingLayout(IEphemeralStore store, KeySpace keys, TimeProvider time)
{
    public Task<List<SipBinding>> GetAsync(string addressOfRecord) => ReadIndexAsync(keys.SipBindingsOfAddress(addressOfRecord));

    public Task<List<SipBinding>> GetByUserAsync(string userId) => ReadIndexAsync(keys.SipBindingsOfUser(userId));

    public async Task RemoveAsync(string addressOfRecord, string contactUri)
    {
        var key = keys.SipBinding(addressOfRecord, contactUri);
        if (await store.GetAsync(key).ConfigureAwait(false) is { } json && StoredSipBinding.Parse(json) is { } binding)
        {
            await store.SetRemoveAsync(keys.SipBindingsOfUser(binding.UserId), key).ConfigureAwait(false);
            await store.DeleteAsync(key).ConfigureAwait(false);
            await store.SetRemoveAsync(keys.SipBindingsOfAddress(addressOfRecord), key).ConfigureAwait(false);
        }
    }

    private async Task<List<SipBinding>> ReadIndexAsync(string index)
    {
        var live = new List<SipBinding>();
        var bindingKeys = await store.SetMembersAsync(index).ConfigureAwait(false);
        if (bindingKeys.Count == 0)
        {
            return live;
        }

        var found = await store.GetManyAsync(bindingKeys).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var key in bindingKeys)
        {
            if (found.TryGetValue(key, out var json) && StoredSipBinding.Parse(json) is { } binding && binding.ExpiresAt > now)
            {
                live.Add(binding);
            }
            else
            {
                // Written binding first, index second (the old writer awaited in that order), so a missing binding is gone.
                await store.SetRemoveAsync(index, key).ConfigureAwait(false);
            }
        }

        return live;
    }
}
