using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Calls.Entities;

/// <summary>A call in a conversation: live until <see cref="EndedAt"/> is set.</summary>
public sealed class Call
{
    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    public Guid StartedBy { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? EndedAt { get; set; }

    /// <summary>"ended-by-user", "empty" (the last participant left for the grace period) ...</summary>
    public string? EndReason { get; set; }

    /// <summary>Optimistic concurrency: ending a call twice (two instances, two requests) commits once.</summary>
    public long Version { get; set; }
}

internal sealed class CallConfiguration : IEntityTypeConfiguration<Call>
{
    public void Configure(EntityTypeBuilder<Call> call)
    {
        call.ToTable("calls");
        call.Property(c => c.StartedAt).IsUtc();
        call.Property(c => c.EndedAt).IsUtc();
        call.Property(c => c.EndReason).HasMaxLength(32);
        call.Property(c => c.Version).IsConcurrencyToken();
        call.HasIndex(c => new { c.ConversationId, c.EndedAt });
        call.HasIndex(c => c.EndedAt);
    }
}
