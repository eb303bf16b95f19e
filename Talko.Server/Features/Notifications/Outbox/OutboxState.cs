namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>Where an outbox row is in its life. Stored as text.</summary>
public enum OutboxState
{
    /// <summary>Waiting for its next attempt (NextAttemptAt), or leased to an instance that is sending it.</summary>
    Pending,

    Delivered,

    /// <summary>Folded into another row with the same coalesce key, which carried it.</summary>
    Coalesced,

    /// <summary>The provider said the address no longer exists; the token was removed.</summary>
    AddressGone,

    /// <summary>Given up after MaxAttempts or refused for good by the provider; kept for inspection.</summary>
    DeadLettered,
}
