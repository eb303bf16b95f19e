namespace Talko.Core.Conversations;

/// <summary>Limits of groups, conversations and their timelines; bound from "Talko:Conversations".</summary>
public sealed class ConversationsOptions
{
    public const string Section = "Talko:Conversations";

    public int MaxGroupNameLength { get; set; } = 100;

    public int MaxConversationTitleLength { get; set; } = 200;

    public int MaxGroupMembers { get; set; } = 1000;

    public int MaxTextLength { get; set; } = 4000;

    public int MaxIdempotencyKeyLength { get; set; } = 64;

    public long MaxPhotoBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Raw audio at 48 kHz stereo 16 bit is about 115 MB per 10 minutes, so this is generous for compressed clips and fits WAV at voice rates.</summary>
    public long MaxVoiceClipBytes { get; set; } = 64L * 1024 * 1024;

    public TimeSpan MaxVoiceClipDuration { get; set; } = TimeSpan.FromMinutes(10);

    public int MaxBookmarkNoteLength { get; set; } = 500;

    public int MaxTagsPerItem { get; set; } = 32;

    public int DefaultPageSize { get; set; } = 100;

    public int MaxPageSize { get; set; } = 500;

    /// <summary>Changes per sync page (whole changes are never split, so a page may run slightly over).</summary>
    public int DefaultSyncPageSize { get; set; } = 500;

    public int MaxSyncPageSize { get; set; } = 2000;

    public int MaxSearchResults { get; set; } = 100;

    public int MaxSearchQueryLength { get; set; } = 200;

    /// <summary>The most items one export carries; larger conversations are refused rather than half exported.</summary>
    public int MaxExportItems { get; set; } = 100_000;
}
