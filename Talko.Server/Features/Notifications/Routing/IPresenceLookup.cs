namespace Talko.Server.Features.Notifications.Routing;

/// <summary>Where a device's attention is, as far as notifications care.</summary>
public enum DevicePresence
{
    /// <summary>Not connected: it gets a push.</summary>
    Away,

    /// <summary>Connected to the realtime hub (app open): the realtime event reaches it, no push.</summary>
    Connected,

    /// <summary>Connected and viewing the conversation in question: the realtime event only.</summary>
    Viewing,
}

/// <summary>
/// Presence as notifications need it. Awareness owns presence and replaces
/// <see cref="NobodyConnectedPresenceLookup"/> with one backed by its Redis state.
/// </summary>
public interface IPresenceLookup
{
    /// <summary>The presence of each device of <paramref name="userIds"/> with respect to <paramref name="conversationId"/>; devices not listed are away.</summary>
    Task<IReadOnlyDictionary<Guid, DevicePresence>> GetDevicePresenceAsync(IReadOnlyCollection<Guid> userIds, Guid? conversationId, CancellationToken cancellationToken);
}

/// <summary>Until awareness is connected: every device is away, so every device with a token gets a push.</summary>
public sealed class NobodyConnectedPresenceLookup : IPresenceLookup
{
    public Task<IReadOnlyDictionary<Guid, DevicePresence>> GetDevicePresenceAsync(IReadOnlyCollection<Guid> userIds, Guid? conversationId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<Guid, DevicePresence>>(new Dictionary<Guid, DevicePresence>());
}
