using System.Collections.Concurrent;
using Talko.Server.Features.Notifications.Routing;

namespace Talko.Tests.Server.Features.Notifications.Fakes;

/// <summary>Presence set by the test, device by device.</summary>
public sealed class FakePresence : IPresenceLookup
{
    public ConcurrentDictionary<Guid, DevicePresence> Devices { get; } = new();

    public Task<IReadOnlyDictionary<Guid, DevicePresence>> GetDevicePresenceAsync(IReadOnlyCollection<Guid> userIds, Guid? conversationId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<Guid, DevicePresence>>(new Dictionary<Guid, DevicePresence>(Devices));
}
