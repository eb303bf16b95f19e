using Talko.Core.Awareness;

namespace Talko.Server.Features.Notifications.Routing;

/// <summary>
/// Device presence from awareness (Redis when scaled out, memory when embedded). A device is
/// <see cref="DevicePresence.Viewing"/> when one of its live connections is online with an activity in
/// the conversation (viewing, typing, in its call, listening to it), <see cref="DevicePresence.Connected"/>
/// when online elsewhere, and away otherwise: no connection, or connected but idle past
/// <see cref="AwarenessOptions.AwayAfter"/>, since a phone left open on a desk is not being looked at.
/// If awareness cannot be read the devices count as away: a push too many beats a lost one.
/// </summary>
public sealed class AwarenessPresenceLookup(IAwarenessStore store, TimeProvider time, ILogger<AwarenessPresenceLookup> logger) : IPresenceLookup
{
    public async Task<IReadOnlyDictionary<Guid, DevicePresence>> GetDevicePresenceAsync(IReadOnlyCollection<Guid> userIds, Guid? conversationId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ConnectionAwareness> connections;
        try
        {
            connections = await store.GetConnectionsAsync(userIds.Select(u => u.ToString()).ToArray(), time.GetUtcNow()).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            NotificationsLog.PresenceUnavailable(logger, exception);
            return new Dictionary<Guid, DevicePresence>();
        }

        var conversation = conversationId?.ToString();
        var result = new Dictionary<Guid, DevicePresence>();
        foreach (var connection in connections)
        {
            if (!Guid.TryParse(connection.DeviceId, out var deviceId))
            {
                continue;
            }

            var presence = Of(connection, conversation);
            if (presence > result.GetValueOrDefault(deviceId, DevicePresence.Away))
            {
                result[deviceId] = presence;
            }
        }

        return result;
    }

    private static DevicePresence Of(ConnectionAwareness connection, string? conversationId) =>
        connection.Presence != Presence.Online ? DevicePresence.Away
        : conversationId is not null && string.Equals(connection.Activity.ConversationId, conversationId, StringComparison.OrdinalIgnoreCase) ? DevicePresence.Viewing
        : DevicePresence.Connected;
}
