namespace Talko.Core.Notifications;

/// <summary>The service that carries a notification to its target.</summary>
public enum PushChannel
{
    /// <summary>Apple Push Notification service; the address is a device token (hex).</summary>
    Apns,

    /// <summary>Firebase Cloud Messaging HTTP v1; the address is a registration token.</summary>
    Fcm,

    /// <summary>A signed HTTP POST to an integration; the address is an absolute URL (or empty for the configured one).</summary>
    Webhook,

    /// <summary>Written to the log only: the embedded and development modes.</summary>
    Log,
}
