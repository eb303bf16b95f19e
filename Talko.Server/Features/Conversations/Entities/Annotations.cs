using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Conversations.Entities;

/// <summary>
/// A hashtag on the conversation itself (no item, no call), on an item (typed in its text or added
/// later), or at a moment of a call. Removal keeps the row so sync can carry it.
/// </summary>
public sealed class Tag
{
    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    /// <summary>Normalised: no '#', lower case (<see cref="Talko.Core.Conversations.Hashtags.Normalize"/>).</summary>
    public required string Name { get; set; }

    public Guid? ItemId { get; set; }

    public Guid? CallId { get; set; }

    public long? CallOffsetMs { get; set; }

    /// <summary>Parsed from the item's text, so an edit of the text replaces it.</summary>
    public bool FromText { get; set; }

    public Guid AddedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public long Version { get; set; }

    public DateTime? RemovedAt { get; set; }
}

/// <summary>A note pinned to an item or a moment of a call, visible to every member.</summary>
public sealed class Bookmark
{
    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    public Guid? ItemId { get; set; }

    public Guid? CallId { get; set; }

    public long? CallOffsetMs { get; set; }

    public string? Note { get; set; }

    public Guid AuthorId { get; set; }

    public DateTime CreatedAt { get; set; }

    public long Version { get; set; }

    public DateTime? RemovedAt { get; set; }
}

/// <summary>A personal marker; only its owner sees it.</summary>
public sealed class Flag
{
    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    public Guid UserId { get; set; }

    public Guid? ItemId { get; set; }

    public Guid? CallId { get; set; }

    public long? CallOffsetMs { get; set; }

    public DateTime CreatedAt { get; set; }

    public long Version { get; set; }

    public DateTime? RemovedAt { get; set; }
}

internal sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> tag)
    {
        tag.ToTable("conversation_tags");
        tag.Property(t => t.Name).HasMaxLength(Input.TextRules.TagColumn);
        tag.HasIndex(t => new { t.ConversationId, t.Version });
        tag.HasIndex(t => t.Name);
        tag.HasIndex(t => t.ItemId);
        tag.HasOne<Conversation>().WithMany().HasForeignKey(t => t.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BookmarkConfiguration : IEntityTypeConfiguration<Bookmark>
{
    public void Configure(EntityTypeBuilder<Bookmark> bookmark)
    {
        bookmark.ToTable("conversation_bookmarks");
        bookmark.Property(b => b.Note).HasMaxLength(Input.TextRules.BookmarkNoteColumn);
        bookmark.HasIndex(b => new { b.ConversationId, b.Version });
        bookmark.HasOne<Conversation>().WithMany().HasForeignKey(b => b.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FlagConfiguration : IEntityTypeConfiguration<Flag>
{
    public void Configure(EntityTypeBuilder<Flag> flag)
    {
        flag.ToTable("conversation_flags");
        flag.HasIndex(f => new { f.ConversationId, f.UserId, f.Version });
        flag.HasOne<Conversation>().WithMany().HasForeignKey(f => f.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
