using Microsoft.Extensions.Logging;

namespace Talko.Core.Notifications;

/// <summary>
/// Writes notifications to the log instead of sending them: the embedded and development modes, and any
/// channel that has no provider configured. Addresses are shortened so tokens do not end up in logs.
/// </summary>
public sealed class LogNotificationProvider(ILogger<LogNotificationProvider> logger) : INotificationProvider
{
    public PushChannel Channel => PushChannel.Log;

    public Task<DeliveryOutcome> SendAsync(PushDelivery delivery, CancellationToken cancellationToken)
    {
        var message = delivery.Message;
        NotificationLog.Logged(logger, delivery.EventId, message.Kind, delivery.Channel, Shorten(delivery.Address), message.Title, message.Body, message.Count, message.Badge);
        return Task.FromResult(DeliveryOutcome.Delivered());
    }

    private static string Shorten(string address) => address.Length <= 8 ? address : address[..8] + "…";
}
