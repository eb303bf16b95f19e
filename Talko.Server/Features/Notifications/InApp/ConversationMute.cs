using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Notifications.InApp;

/// <summary>A user's mute of one conversation: no pushes from it until <see cref="Until"/>, or ever when null.</summary>
public sealed class ConversationMute
{
    public Guid UserId { get; set; }

    public Guid ConversationId { get; set; }

    public DateTime? Until { get; set; }

    public bool IsActive(DateTime now) => Until is null || Until > now;
}

internal sealed class ConversationMuteConfiguration : IEntityTypeConfiguration<ConversationMute>
{
    public void Configure(EntityTypeBuilder<ConversationMute> mute)
    {
        mute.ToTable("conversation_mutes");
        mute.HasKey(m => new { m.UserId, m.ConversationId });
        mute.Property(m => m.Until).IsUtc();
    }
}
