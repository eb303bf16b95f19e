using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Core.Conversations;

namespace Talko.Server.Features.Conversations.Entities;

/// <summary>One entry of a conversation's timeline. Deleting keeps the row as a tombstone (content cleared).</summary>
public sealed class Item
{
    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    public long Seq { get; set; }

    public long Version { get; set; }

    public ItemKind Kind { get; set; }

    /// <summary>Null for system items.</summary>
    public Guid? AuthorId { get; set; }

    public string? Text { get; set; }

    public string? MediaBlobId { get; set; }

    public string? ThumbnailBlobId { get; set; }

    public long? DurationMs { get; set; }

    public Guid? CallId { get; set; }

    public long? CallOffsetMs { get; set; }

    public string? SystemEvent { get; set; }

    public Guid? SubjectUserId { get; set; }

    /// <summary>Chosen by the client; unique per author and conversation so a retried post finds its first attempt.</summary>
    public string? IdempotencyKey { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? EditedAt { get; set; }

    public DateTime? DeletedAt { get; set; }
}

/// <summary>A stored photo, thumbnail or voice clip, and the conversation whose members may read it.</summary>
public sealed class MediaBlob
{
    public required string BlobId { get; set; }

    public Guid ConversationId { get; set; }

    public required string ContentType { get; set; }

    public long Length { get; set; }

    public required string Sha256 { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class ItemConfiguration : IEntityTypeConfiguration<Item>
{
    public void Configure(EntityTypeBuilder<Item> item)
    {
        item.ToTable("conversation_items");
        item.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
        item.Property(i => i.Text).HasMaxLength(Input.TextRules.ItemTextColumn);
        item.Property(i => i.MediaBlobId).HasMaxLength(64);
        item.Property(i => i.ThumbnailBlobId).HasMaxLength(64);
        item.Property(i => i.SystemEvent).HasMaxLength(32);
        item.Property(i => i.IdempotencyKey).HasMaxLength(128);
        item.HasIndex(i => new { i.ConversationId, i.Seq }).IsUnique();
        item.HasIndex(i => new { i.ConversationId, i.Version });
        item.HasIndex(i => new { i.ConversationId, i.AuthorId, i.IdempotencyKey }).IsUnique();
        item.HasOne<Conversation>().WithMany().HasForeignKey(i => i.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MediaBlobConfiguration : IEntityTypeConfiguration<MediaBlob>
{
    public void Configure(EntityTypeBuilder<MediaBlob> media)
    {
        media.ToTable("conversation_media");
        media.HasKey(m => m.BlobId);
        media.Property(m => m.BlobId).HasMaxLength(64);
        media.Property(m => m.ContentType).HasMaxLength(64);
        media.Property(m => m.Sha256).HasMaxLength(64);
        media.HasIndex(m => m.ConversationId);
        media.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
