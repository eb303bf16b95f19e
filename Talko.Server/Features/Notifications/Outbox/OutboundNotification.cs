using Talko.Core.Notifications;

namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>What a feature asks to send: one message to one address.</summary>
/// <param name="Channel">APNs, FCM, webhook or log.</param>
/// <param name="Address">Device token, registration token, or webhook URL (empty for the configured one).</param>
/// <param name="Message">What to say.</param>
public sealed record OutboundNotification(PushChannel Channel, string Address, PushMessage Message)
{
    /// <summary>The recipient, for logs and for removing a dead token.</summary>
    public Guid? UserId { get; init; }

    /// <summary>The device whose push token <see cref="Address"/> is; its token is cleared when the provider says it is gone.</summary>
    public Guid? DeviceId { get; init; }

    /// <summary>
    /// Rows with the same key waiting together become one push with a count; a row with a key waits
    /// the coalesce window first. Typically "{device}:{conversation}".
    /// </summary>
    public string? CoalesceKey { get; init; }
}
