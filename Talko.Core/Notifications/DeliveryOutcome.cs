namespace Talko.Core.Notifications;

/// <summary>What a provider made of one attempt, in terms the dispatcher acts on.</summary>
public enum DeliveryStatus
{
    /// <summary>The provider accepted the notification.</summary>
    Delivered,

    /// <summary>A transient failure (429, 5xx, network): try again later, after <see cref="DeliveryOutcome.RetryAfter"/> if given.</summary>
    RetryLater,

    /// <summary>The address no longer exists (APNs 410 or BadDeviceToken, FCM UNREGISTERED): remove it; never retry.</summary>
    AddressGone,

    /// <summary>The provider refused this notification for good (payload too large, bad request): dead-letter it.</summary>
    Rejected,
}

/// <summary>The result of one delivery attempt.</summary>
/// <param name="Status">What the dispatcher should do next.</param>
/// <param name="Reason">The provider's own reason ("Unregistered", "UNAVAILABLE", "HTTP 500") for logs and the dead letter.</param>
/// <param name="RetryAfter">The provider's Retry-After, honoured as the minimum wait before the next attempt.</param>
/// <param name="ProviderId">The provider's id for the accepted message (apns-id, FCM message name).</param>
public sealed record DeliveryOutcome(DeliveryStatus Status, string? Reason = null, TimeSpan? RetryAfter = null, string? ProviderId = null)
{
    public static DeliveryOutcome Delivered(string? providerId = null) => new(DeliveryStatus.Delivered, ProviderId: providerId);

    public static DeliveryOutcome Retry(string reason, TimeSpan? retryAfter = null) => new(DeliveryStatus.RetryLater, reason, retryAfter);

    public static DeliveryOutcome Gone(string reason) => new(DeliveryStatus.AddressGone, reason);

    public static DeliveryOutcome Reject(string reason) => new(DeliveryStatus.Rejected, reason);
}
