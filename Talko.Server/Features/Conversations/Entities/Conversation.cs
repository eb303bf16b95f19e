using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Server.Features.Groups.Entities;

namespace Talko.Server.Features.Conversations.Entities;

/// <summary>
/// A conversation and its two counters, both advanced under this row's lock in the transaction that
/// makes the change: <see cref="LastSeq"/> numbers timeline items, <see cref="Version"/> numbers every
/// change (items, edits, tags, read state, membership) for sync. See ADR 0300.
/// </summary>
public sealed class Conversation
{
    public Guid Id { get; set; }

    public Guid GroupId { get; set; }

    public required string Title { get; set; }

    public Guid CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ArchivedAt { get; set; }

    /// <summary>New group members join it too (the default when created without a member list).</summary>
    public bool IncludesWholeGroup { get; set; }

    public long LastSeq { get; set; }

    public long Version { get; set; }
}

public sealed class ConversationMember
{
    public Guid ConversationId { get; set; }

    public Guid UserId { get; set; }

    public DateTime JoinedAt { get; set; }

    public long LastReadSeq { get; set; }

    /// <summary>The conversation version of this row's last change (joined, left, read).</summary>
    public long Version { get; set; }

    /// <summary>Set when the person left or was removed; the row stays so sync can tell their devices.</summary>
    public DateTime? RemovedAt { get; set; }
}

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> conversation)
    {
        conversation.ToTable("conversations");
        conversation.Property(c => c.Title).HasMaxLength(Input.TextRules.ConversationTitleColumn);
        conversation.HasIndex(c => c.GroupId);
        conversation.HasOne<Group>().WithMany().HasForeignKey(c => c.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ConversationMemberConfiguration : IEntityTypeConfiguration<ConversationMember>
{
    public void Configure(EntityTypeBuilder<ConversationMember> member)
    {
        member.ToTable("conversation_members");
        member.HasKey(m => new { m.ConversationId, m.UserId });
        member.HasIndex(m => m.UserId);
        member.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
