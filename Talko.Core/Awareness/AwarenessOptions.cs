namespace Talko.Core.Awareness;

/// <summary>Every awareness limit and timing (configuration section Talko:Awareness).</summary>
public sealed class AwarenessOptions
{
    public const string Section = "Talko:Awareness";

    /// <summary>A device idle longer than this shows away.</summary>
    public TimeSpan AwayAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A typing activity reverts to viewing this long after it was last set.</summary>
    public TimeSpan TypingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often clients are asked to heartbeat (told to them on connect).</summary>
    public TimeSpan ClientHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>A device not heard from for this long is dropped by its instance and shows offline.</summary>
    public TimeSpan DeviceTimeout { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>How often an instance renews its connections' leases and drops silent devices.</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a connection counts without renewal. The backstop when its instance dies and nobody
    /// notices through the registry; several renew intervals so a slow beat loses nothing.
    /// </summary>
    public TimeSpan ConnectionLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an instance looks for due users (expired typing, expired leases) and dead instances.</summary>
    public TimeSpan ReapInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most users or connections handled by one atomic script call.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long a user's stored keys outlive the last lease when no instance is left to reap them, so a
    /// deployment that lost every instance leaves nothing behind; much longer than a reap takes.
    /// </summary>
    public TimeSpan OrphanKeyGrace { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxStatusTextLength { get; set; } = 100;

    /// <summary>Longest user, device, conversation, call or connection id accepted.</summary>
    public int MaxIdLength { get; set; } = 128;

    /// <summary>Most users in one snapshot (a conversation's members).</summary>
    public int MaxSnapshotUsers { get; set; } = 1000;
}
