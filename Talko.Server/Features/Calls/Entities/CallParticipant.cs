using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Calls.Entities;

/// <summary>One SIP leg of one device in a call: when it joined and left, as times and as offsets into the recording.</summary>
public sealed class CallParticipant
{
    public Guid Id { get; set; }

    public Guid CallId { get; set; }

    public Guid UserId { get; set; }

    public Guid? DeviceId { get; set; }

    /// <summary>The media engine's leg id (also the talker id in recorded talker timelines).</summary>
    public required string LegId { get; set; }

    /// <summary>The instance whose mixer the leg joined.</summary>
    public required string InstanceId { get; set; }

    public DateTime JoinedAt { get; set; }

    public long JoinOffsetMs { get; set; }

    public DateTime? LeftAt { get; set; }

    public long? LeaveOffsetMs { get; set; }
}

internal sealed class CallParticipantConfiguration : IEntityTypeConfiguration<CallParticipant>
{
    public void Configure(EntityTypeBuilder<CallParticipant> participant)
    {
        participant.ToTable("call_participants");
        participant.Property(p => p.LegId).HasMaxLength(256);
        participant.Property(p => p.InstanceId).HasMaxLength(64);
        participant.Property(p => p.JoinedAt).IsUtc();
        participant.Property(p => p.LeftAt).IsUtc();
        participant.HasIndex(p => new { p.CallId, p.LegId }).IsUnique();
        participant.HasOne<Call>().WithMany().HasForeignKey(p => p.CallId).OnDelete(DeleteBehavior.Cascade);
    }
}
