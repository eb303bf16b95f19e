using Talko.Core.Notifications;
using Talko.Core.Notifications.Apns;
using Talko.Core.Notifications.Fcm;
using Talko.Core.Notifications.Webhooks;

namespace Talko.Server.Features.Notifications;

/// <summary>Settings under Talko:Notifications: the dispatcher's limits, coalescing, and each provider.</summary>
public sealed class NotificationsOptions
{
    public const string Section = "Talko:Notifications";

    /// <summary>Run the outbox dispatcher on this instance. Every instance may; rows are claimed one instance at a time.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How often an idle dispatcher looks for due rows.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows claimed per round.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>Sends in flight at once per instance.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>How long a claim holds a row. A crashed instance's rows become claimable again after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts before a row is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failure; doubled after each further one.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Fraction of the backoff taken away at random, so instances do not retry in step.</summary>
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>Longest provider Retry-After honoured; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// How long a coalescable push waits for others with the same key (one user, one conversation, one
    /// device) before it is sent as one push with a count. Zero sends at once.
    /// </summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Finished rows (delivered, coalesced, address gone) are deleted after this.</summary>
    public TimeSpan CompletedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Dead letters are kept this long for inspection and requeue.</summary>
    public TimeSpan DeadLetterRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the dispatcher deletes rows past their retention.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Per-request timeout for provider HTTP calls.</summary>
    public TimeSpan ProviderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest text preview in a push; longer ones are cut with an ellipsis.</summary>
    public int PreviewMaxLength { get; set; } = 120;

    /// <summary>How long a call's ring push is worth delivering; providers drop it after this.</summary>
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Most members one text or caption can mention (each is notified even while muted).</summary>
    public int MaxMentionsPerItem { get; set; } = 20;

    /// <summary>Most entries GET /v1/notifications returns at once.</summary>
    public int ListMaxLimit { get; set; } = 100;

    public ApnsOptions Apns { get; set; } = new();

    public FcmOptions Fcm { get; set; } = new();

    public WebhookOptions Webhook { get; set; } = new();

    public RetrySchedule RetrySchedule => new(RetryBaseDelay, RetryMaxDelay, RetryJitter, MaxRetryAfter);
}
