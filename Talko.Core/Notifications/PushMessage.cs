namespace Talko.Core.Notifications;

/// <summary>
/// What a notification says, independent of the channel that carries it. Each provider maps it to its
/// own wire shape (APNs "aps" dictionary, FCM message, webhook JSON).
/// </summary>
public sealed record PushMessage
{
    /// <summary>What the notification is about, e.g. "item.posted", "call.started"; also the webhook event type.</summary>
    public string Kind { get; init; } = "notification";

    public string? Title { get; init; }

    public string? Body { get; init; }

    /// <summary>
    /// The body used instead of <see cref="Body"/> when several events are sent as one push;
    /// "{count}" is replaced by <see cref="Count"/>. Null keeps <see cref="Body"/>.
    /// </summary>
    public string? Summary { get; init; }

    /// <summary>The app icon badge: the recipient's total unread count when known.</summary>
    public int? Badge { get; init; }

    /// <summary>Name of the sound to play; null plays none.</summary>
    public string? Sound { get; init; }

    /// <summary>
    /// Notifications with the same key replace each other on the device (apns-collapse-id, Android
    /// collapse_key). APNs limits it to 64 bytes.
    /// </summary>
    public string? CollapseKey { get; init; }

    /// <summary>Groups notifications on the device (APNs thread-id, Android tag).</summary>
    public string? ThreadId { get; init; }

    public PushUrgency Urgency { get; init; } = PushUrgency.High;

    /// <summary>True for a silent push that wakes the app without an alert (apns-push-type background).</summary>
    public bool Background { get; init; }

    /// <summary>
    /// An incoming call that should ring the device. APNs carries it as a VoIP push (apns-push-type voip,
    /// topic "{Topic}.voip", priority 10) for CallKit; FCM as a high-priority data-only message so the app
    /// shows its own incoming-call screen. Never coalesced; give it a short <see cref="ExpiresAt"/>.
    /// </summary>
    public bool Ring { get; init; }

    /// <summary>How many events this one push stands for after coalescing (1 when not coalesced).</summary>
    public int Count { get; init; } = 1;

    /// <summary>When the push is no longer worth showing; providers stop trying after it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>This message standing for <paramref name="count"/> events: the count set and the summary, if any, as the body.</summary>
    public PushMessage Coalesced(int count) => count <= 1 ? this : this with
    {
        Count = count,
        Body = Summary?.Replace("{count}", count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) ?? Body,
    };

    /// <summary>Application data for the client (conversation id, item id...): string keys and values, as FCM requires.</summary>
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}

/// <summary>How quickly the provider should deliver.</summary>
public enum PushUrgency
{
    /// <summary>Deliver now, waking the device (apns-priority 10, Android priority high).</summary>
    High,

    /// <summary>Deliver when convenient for the device's power (apns-priority 5, Android priority normal).</summary>
    Normal,
}
