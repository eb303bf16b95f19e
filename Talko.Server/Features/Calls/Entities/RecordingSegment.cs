using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Core.Media.Recording;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Calls.Entities;

public enum SegmentState
{
    /// <summary>Being written by its owner; the file grows at <see cref="RecordingSegment.LocalPath"/>.</summary>
    Recording = 0,

    /// <summary>Closed and stored in the blob store.</summary>
    Complete = 1,

    /// <summary>Its owner died and its file could not be reached: a gap in the recording.</summary>
    Lost = 2,
}

/// <summary>
/// One owning span of a call's recording: the mix from one instance's mixer, as Ogg Opus or (rows from before ADR 0812)
/// 16-bit 8 kHz mono PCM WAV. The whole recording is the segments' audio in <see cref="Index"/> order.
/// </summary>
public sealed class RecordingSegment
{
    public Guid Id { get; set; }

    public Guid CallId { get; set; }

    public int Index { get; set; }

    public required string InstanceId { get; set; }

    public SegmentState State { get; set; }

    public DateTime StartedAt { get; set; }

    /// <summary>Where this segment starts in the whole recording (the durations of the segments before it).</summary>
    public long BaseOffsetMs { get; set; }

    /// <summary>How the audio is stored; rows from before Ogg Opus recordings are WAV.</summary>
    public RecordingFormat Format { get; set; }

    /// <summary>The file while it is written (on the owner's disk; readable by others only on a shared volume).</summary>
    public required string LocalPath { get; set; }

    public DateTime? ClosedAt { get; set; }

    /// <summary>Set when closed: WAV, the PCM bytes (without the header); Ogg Opus, the bytes of its whole pages.</summary>
    public long? DataBytes { get; set; }

    public long? DurationMs { get; set; }

    /// <summary>The closed segment's file in the blob store.</summary>
    public string? BlobId { get; set; }

    /// <summary>Talk spurts as JSON [{ legId, startMs, endMs }], offsets within this segment; null when lost with a crashed owner.</summary>
    public string? TalkersJson { get; set; }
}

internal sealed class RecordingSegmentConfiguration : IEntityTypeConfiguration<RecordingSegment>
{
    public void Configure(EntityTypeBuilder<RecordingSegment> segment)
    {
        segment.ToTable("call_recording_segments");
        segment.Property(s => s.InstanceId).HasMaxLength(64);
        segment.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
        segment.Property(s => s.Format).HasConversion<string>().HasMaxLength(16);
        segment.Property(s => s.LocalPath).HasMaxLength(1024);
        segment.Property(s => s.BlobId).HasMaxLength(64);
        segment.Property(s => s.StartedAt).IsUtc();
        segment.Property(s => s.ClosedAt).IsUtc();
        segment.HasIndex(s => new { s.CallId, s.Index }).IsUnique();
        segment.HasOne<Call>().WithMany().HasForeignKey(s => s.CallId).OnDelete(DeleteBehavior.Cascade);
    }
}
