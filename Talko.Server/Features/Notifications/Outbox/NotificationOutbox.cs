using Microsoft.Extensions.Options;
using Talko.Server.Data;

namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>
/// The one way to send a notification: add it to the outbox on the caller's DbContext before the caller's
/// SaveChanges, so it commits (or rolls back) with the change that caused it. The dispatcher sends it.
/// </summary>
public sealed class NotificationOutbox(TimeProvider time, IOptions<NotificationsOptions> options)
{
    /// <summary>Adds the notification to <paramref name="db"/>'s change tracker; nothing is written until the caller saves.</summary>
    public OutboxMessage Enqueue(TalkoDbContext db, OutboundNotification notification)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Address.Length > OutboxMessage.AddressMaxLength)
        {
            throw new ArgumentException($"The address is longer than {OutboxMessage.AddressMaxLength} characters.", nameof(notification));
        }

        if (notification.CoalesceKey is { Length: > OutboxMessage.CoalesceKeyMaxLength })
        {
            throw new ArgumentException($"The coalesce key is longer than {OutboxMessage.CoalesceKeyMaxLength} characters.", nameof(notification));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var message = new OutboxMessage
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            Channel = notification.Channel,
            Address = notification.Address,
            UserId = notification.UserId,
            DeviceId = notification.DeviceId,
            CoalesceKey = notification.CoalesceKey,
            Payload = NotificationJson.Serialize(notification.Message),
            State = OutboxState.Pending,
            CreatedAt = now,
            // A coalescable push waits for company; the rest go at once.
            NextAttemptAt = notification.CoalesceKey is null ? now : now + options.Value.CoalesceWindow,
        };
        db.Set<OutboxMessage>().Add(message);
        return message;
    }
}
