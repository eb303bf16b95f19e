namespace Talko.Core.Notifications;

/// <summary>
/// Sends one notification over one channel. Implementations classify every answer into a
/// <see cref="DeliveryOutcome"/> and return transient network failures as <see cref="DeliveryStatus.RetryLater"/>;
/// they throw only when their cancellation token is cancelled.
/// </summary>
public interface INotificationProvider
{
    PushChannel Channel { get; }

    Task<DeliveryOutcome> SendAsync(PushDelivery delivery, CancellationToken cancellationToken);
}
