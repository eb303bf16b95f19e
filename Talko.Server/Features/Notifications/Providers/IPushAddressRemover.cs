using Talko.Core.Notifications;

namespace Talko.Server.Features.Notifications.Providers;

/// <summary>
/// Forgets a push address a provider has declared gone (APNs 410/BadDeviceToken, FCM UNREGISTERED).
/// Accounts owns device push tokens and replaces <see cref="LoggingPushAddressRemover"/> with one that
/// clears the device's token when it still equals the address given.
/// </summary>
public interface IPushAddressRemover
{
    Task RemoveAsync(PushChannel channel, string address, Guid? deviceId, CancellationToken cancellationToken);
}

/// <summary>Records the removal only; the outbox already stops sending to the address.</summary>
public sealed class LoggingPushAddressRemover(ILogger<LoggingPushAddressRemover> logger) : IPushAddressRemover
{
    public Task RemoveAsync(PushChannel channel, string address, Guid? deviceId, CancellationToken cancellationToken)
    {
        NotificationsLog.AddressGone(logger, channel, deviceId);
        return Task.CompletedTask;
    }
}
