using System.Text.Json;
using Microsoft.Extensions.Options;
using Talko.Core.Ephemeral;

namespace Talko.Core.Instances;

/// <summary>
/// The live instances of this deployment, in the ephemeral store: one key per instance with a short
/// TTL, renewed by its heartbeat, plus an index set pruned on read. A crashed instance simply stops
/// renewing and disappears.
/// </summary>
public sealed class InstanceRegistry(IEphemeralStore store, KeySpace keys, IOptions<InstanceRegistryOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public async Task PublishAsync(InstanceDescriptor descriptor)
    {
        await store.SetAsync(keys.Instance(descriptor.Id), JsonSerializer.Serialize(descriptor, Json), options.Value.EntryTimeToLive).ConfigureAwait(false);
        await store.SetAddAsync(keys.InstanceIndex, descriptor.Id).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string instanceId)
    {
        await store.DeleteAsync(keys.Instance(instanceId)).ConfigureAwait(false);
        await store.SetRemoveAsync(keys.InstanceIndex, instanceId).ConfigureAwait(false);
    }

    public async Task<InstanceDescriptor?> FindAsync(string instanceId) =>
        await store.GetAsync(keys.Instance(instanceId)).ConfigureAwait(false) is { } json
            ? JsonSerializer.Deserialize<InstanceDescriptor>(json, Json)
            : null;

    /// <summary>Live instances, ordered by id. Index entries of vanished instances are removed.</summary>
    public async Task<IReadOnlyList<InstanceDescriptor>> ListAsync()
    {
        var ids = await store.SetMembersAsync(keys.InstanceIndex).ConfigureAwait(false);
        var found = await store.GetManyAsync(ids.Select(keys.Instance).ToArray()).ConfigureAwait(false);
        var live = new List<InstanceDescriptor>();
        foreach (var id in ids)
        {
            if (found.TryGetValue(keys.Instance(id), out var json) && JsonSerializer.Deserialize<InstanceDescriptor>(json, Json) is { } descriptor)
            {
                live.Add(descriptor);
            }
            else
            {
                await store.SetRemoveAsync(keys.InstanceIndex, id).ConfigureAwait(false);
            }
        }

        return live.OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
    }
}
