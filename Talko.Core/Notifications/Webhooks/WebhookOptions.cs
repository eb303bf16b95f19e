namespace Talko.Core.Notifications.Webhooks;

/// <summary>Outgoing webhook settings (Talko:Notifications:Webhook).</summary>
public sealed class WebhookOptions
{
    /// <summary>Where events go when the outbox row names no URL of its own.</summary>
    public Uri? Url { get; set; }

    /// <summary>The shared secret for the HMAC-SHA256 signature; the receiver holds the same.</summary>
    public string Secret { get; set; } = "";

    /// <summary>How far a receiver should let the timestamp differ from its clock before refusing (replay window).</summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsConfigured => Secret.Length > 0;
}
