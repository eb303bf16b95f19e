namespace Talko.Core.Notifications;

/// <summary>One attempt's input: a message for one address on one channel.</summary>
/// <param name="EventId">Stable across retries: APNs apns-id, the webhook event id, the receiver's deduplication key.</param>
/// <param name="Channel">The channel that carries it.</param>
/// <param name="Address">Device token, registration token or URL, as the channel defines.</param>
/// <param name="Message">What to say.</param>
/// <param name="CreatedAt">When the notification was written to the outbox.</param>
public sealed record PushDelivery(Guid EventId, PushChannel Channel, string Address, PushMessage Message, DateTimeOffset CreatedAt);
