using System.Collections.Concurrent;
using Talko.Core.Notifications;
using Talko.Server.Features.Notifications.Providers;

namespace Talko.Tests.Server.Features.Notifications.Fakes;

/// <summary>Records which push addresses the dispatcher asked to remove.</summary>
public sealed class RecordingAddressRemover : IPushAddressRemover
{
    public ConcurrentQueue<(PushChannel Channel, string Address, Guid? DeviceId)> Removed { get; } = new();

    public Task RemoveAsync(PushChannel channel, string address, Guid? deviceId, CancellationToken cancellationToken)
    {
        Removed.Enqueue((channel, address, deviceId));
        return Task.CompletedTask;
    }
}
