using System.Globalization;
using System.Net;
using System.Text.Json;
using Talko.Core.Ephemeral;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// Bindings in the ephemeral store (Redis when scaled out), so every instance can find any device.
/// Each binding is its own key expiring with the registration; per address-of-record and per user
/// index sets point at them and are pruned on read, so nothing needs a sweep.
/// </summary>
public sealed class EphemeralSipBindingStore(IEphemeralStore store, KeySpace keys, TimeProvider time) : ISipBindingStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ValueTask<IReadOnlyList<SipBinding>> GetAsync(string addressOfRecord, CancellationToken cancellationToken = default) =>
        ReadIndexAsync(keys.SipBindingsOfAddress(addressOfRecord));

    public ValueTask<IReadOnlyList<SipBinding>> GetByUserAsync(string userId, CancellationToken cancellationToken = default) =>
        ReadIndexAsync(keys.SipBindingsOfUser(userId));

    public async ValueTask SetAsync(SipBinding binding, CancellationToken cancellationToken = default)
    {
        var ttl = binding.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            await RemoveAsync(binding.AddressOfRecord, binding.ContactUri, cancellationToken).ConfigureAwait(false);
            return;
        }

        var key = keys.SipBinding(binding.AddressOfRecord, binding.ContactUri);
        // Every REGISTER lands here: two round trips. The binding is written first and awaited: with Redis Cluster the
        // keys sit on different nodes, and a reader that finds an index entry whose binding is missing prunes it
        // (ReadIndexAsync). Then both indexes at once, each one script that adds and keeps the index alive as long as
        // its longest binding (abandoned indexes expire too).
        await store.SetAsync(key, JsonSerializer.Serialize(StoredBinding.From(binding), Json), ttl).ConfigureAwait(false);
        await Task.WhenAll(
            store.SetAddAndKeepAsync(keys.SipBindingsOfAddress(binding.AddressOfRecord), key, ttl),
            store.SetAddAndKeepAsync(keys.SipBindingsOfUser(binding.UserId), key, ttl)).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string addressOfRecord, string contactUri, CancellationToken cancellationToken = default)
    {
        var key = keys.SipBinding(addressOfRecord, contactUri);
        if (await store.GetAsync(key).ConfigureAwait(false) is { } json && JsonSerializer.Deserialize<StoredBinding>(json, Json) is { } stored)
        {
            await store.SetRemoveAsync(keys.SipBindingsOfUser(stored.UserId), key).ConfigureAwait(false);
        }

        await store.DeleteAsync(key).ConfigureAwait(false);
        await store.SetRemoveAsync(keys.SipBindingsOfAddress(addressOfRecord), key).ConfigureAwait(false);
    }

    private async ValueTask<IReadOnlyList<SipBinding>> ReadIndexAsync(string index)
    {
        var bindingKeys = await store.SetMembersAsync(index).ConfigureAwait(false);
        var found = await store.GetManyAsync(bindingKeys).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var live = new List<SipBinding>();
        foreach (var key in bindingKeys)
        {
            if (found.TryGetValue(key, out var json) && JsonSerializer.Deserialize<StoredBinding>(json, Json)?.ToBinding() is { } binding && binding.ExpiresAt > now)
            {
                live.Add(binding);
            }
            else
            {
                await store.SetRemoveAsync(index, key).ConfigureAwait(false);
            }
        }

        return live;
    }

    /// <summary>The JSON shape: the source endpoint as text, since IPEndPoint has no JSON form.</summary>
    private sealed record StoredBinding(
        string AddressOfRecord, string ContactUri, string UserId, string DeviceId, string CallId, long CSeq,
        DateTimeOffset ExpiresAt, SipTransportProtocol Protocol, string? Source)
    {
        public static StoredBinding From(SipBinding b) =>
            new(b.AddressOfRecord, b.ContactUri, b.UserId, b.DeviceId, b.CallId, b.CSeq, b.ExpiresAt, b.Protocol, b.Source?.ToString());

        public SipBinding ToBinding() =>
            new(AddressOfRecord, ContactUri, UserId, DeviceId, CallId, CSeq, ExpiresAt, Protocol,
                Source is not null && IPEndPoint.TryParse(Source, out var source) ? source : null);
    }
}
