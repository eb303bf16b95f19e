using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Core.Notifications;

namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>
/// One notification for one address, written in the same transaction as the change that caused it
/// (docs/decisions/0500-notification-outbox.md). Times are UTC.
/// </summary>
public sealed class OutboxMessage
{
    public const string Table = "notification_outbox";
    public const int AddressMaxLength = 2048;
    public const int CoalesceKeyMaxLength = 200;
    public const int ErrorMaxLength = 1000;

    /// <summary>Also the event id providers see (apns-id, webhook id), stable across retries.</summary>
    public Guid Id { get; set; }

    public PushChannel Channel { get; set; }

    public required string Address { get; set; }

    public Guid? UserId { get; set; }

    public Guid? DeviceId { get; set; }

    /// <summary>Rows with the same key that are pending together are sent as one push with a count.</summary>
    public string? CoalesceKey { get; set; }

    /// <summary>The <see cref="PushMessage"/> as JSON.</summary>
    public required string Payload { get; set; }

    /// <summary>How many events this row carries (1, plus the rows folded into it).</summary>
    public int Count { get; set; } = 1;

    public OutboxState State { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime NextAttemptAt { get; set; }

    /// <summary>The instance that last claimed the row (and, once delivered, the one that sent it).</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>While in the future, no other instance claims the row.</summary>
    public DateTime? LeaseUntil { get; set; }

    public DateTime? CompletedAt { get; set; }

    public Guid? CoalescedInto { get; set; }

    public string? LastError { get; set; }

    /// <summary>The provider's id for the accepted message (apns-id, FCM message name).</summary>
    public string? ProviderId { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> outbox)
    {
        outbox.ToTable(OutboxMessage.Table);
        outbox.Property(m => m.Channel).HasConversion<string>().HasMaxLength(16);
        outbox.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
        outbox.Property(m => m.Address).HasMaxLength(OutboxMessage.AddressMaxLength);
        outbox.Property(m => m.CoalesceKey).HasMaxLength(OutboxMessage.CoalesceKeyMaxLength);
        outbox.Property(m => m.LeaseOwner).HasMaxLength(128);
        outbox.Property(m => m.LastError).HasMaxLength(OutboxMessage.ErrorMaxLength);
        outbox.Property(m => m.ProviderId).HasMaxLength(256);
        outbox.Property(m => m.CreatedAt).IsUtc();
        outbox.Property(m => m.NextAttemptAt).IsUtc();
        outbox.Property(m => m.LeaseUntil).IsUtc();
        outbox.Property(m => m.CompletedAt).IsUtc();
        // The claim query: pending rows by due time.
        outbox.HasIndex(m => new { m.State, m.NextAttemptAt });
        outbox.HasIndex(m => m.CoalesceKey);
        outbox.HasIndex(m => new { m.Channel, m.Address });
    }
}
