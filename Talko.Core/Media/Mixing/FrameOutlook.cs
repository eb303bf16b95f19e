namespace Talko.Core.Media.Mixing;

/// <summary>What a participant's next frame holds, as far as it can tell without decoding it.</summary>
public enum FrameOutlookKind
{
    /// <summary>Only decoding tells (no level was sent): the mixer reads the frame and measures it.</summary>
    Unknown,

    /// <summary>Nothing worth decoding: no packet after a pause, or a DTX packet (RFC 6716 section 2.1.9).</summary>
    Silent,

    /// <summary>The sender's RFC 6464 audio level for the frame's packet.</summary>
    Level,
}

/// <summary>
/// The pre-decode view of a participant's next frame that lets the mixer rank legs and decode only the loudest few
/// (ADR 0930). <see cref="Level"/> is in -dBov (0 loudest, 127 silence) and meaningful for <see cref="FrameOutlookKind.Level"/>.
/// </summary>
public readonly record struct FrameOutlook(FrameOutlookKind Kind, byte Level = 127)
{
    public static FrameOutlook Unknown => new(FrameOutlookKind.Unknown);

    public static FrameOutlook Silent => new(FrameOutlookKind.Silent);

    public static FrameOutlook Of(byte level) => new(FrameOutlookKind.Level, level);
}
