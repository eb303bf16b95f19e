using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Notifications.InApp;

/// <summary>One entry of a user's in-app notification list (GET /v1/notifications); unread until ReadAt is set.</summary>
public sealed class UserNotification
{
    public const int KindMaxLength = 64;
    public const int TitleMaxLength = 200;
    public const int BodyMaxLength = 1000;

    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>"item.posted", "call.started", "member.added", "mention", "bookmark".</summary>
    public required string Kind { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? ItemId { get; set; }

    public Guid? ActorUserId { get; set; }

    public string? Title { get; set; }

    public string? Body { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ReadAt { get; set; }
}

internal sealed class UserNotificationConfiguration : IEntityTypeConfiguration<UserNotification>
{
    public void Configure(EntityTypeBuilder<UserNotification> notification)
    {
        notification.ToTable("user_notifications");
        notification.Property(n => n.Kind).HasMaxLength(UserNotification.KindMaxLength);
        notification.Property(n => n.Title).HasMaxLength(UserNotification.TitleMaxLength);
        notification.Property(n => n.Body).HasMaxLength(UserNotification.BodyMaxLength);
        notification.Property(n => n.CreatedAt).IsUtc();
        notification.Property(n => n.ReadAt).IsUtc();
        notification.HasIndex(n => new { n.UserId, n.CreatedAt });
        notification.HasIndex(n => new { n.UserId, n.ReadAt });
    }
}
