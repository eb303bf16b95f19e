namespace Talko.Server.Features.Notifications.Routing;

/// <summary>Where a device's attention is, as far as notifications care.</summary>
public enum DevicePresence
{
    /// <summary>Not connected, or connected but idle (awareness "away"): it gets a push.</summary>
    Away,

    /// <summary>Connected to the realtime hub and in use (app open): the realtime event reaches it, no push.</summary>
    Connected,

    /// <summary>Connected and viewing the conversation in question: the realtime event only.</summary>
    Viewing,
}

/// <summary>Presence as notifications need it; <see cref="AwarenessPresenceLookup"/> reads it from awareness.</summary>
public interface IPresenceLookup
{
    /// <summary>The presence of each device of <paramref name="userIds"/> with respect to <paramref name="conversationId"/>; devices not listed are away.</summary>
    Task<IReadOnlyDictionary<Guid, DevicePresence>> GetDevicePresenceAsync(IReadOnlyCollection<Guid> userIds, Guid? conversationId, CancellationToken cancellationToken);
}
