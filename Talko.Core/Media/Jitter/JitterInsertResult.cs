namespace Talko.Core.Media.Jitter;

public enum JitterInsertResult
{
    Accepted,

    /// <summary>Every sample of the packet is already buffered.</summary>
    Duplicate,

    /// <summary>The packet's time was already played out.</summary>
    Late,

    /// <summary>The packet was too far ahead; the buffer restarted from it.</summary>
    Resynchronised,

    /// <summary>The packet holds more than half the buffer's capacity; nothing sane sends that much at once.</summary>
    TooLong,
}

/// <summary>What the mixer got from <see cref="JitterBuffer.Read"/>.</summary>
public enum JitterFrameKind
{
    /// <summary>Received audio (possibly with a few concealed samples).</summary>
    Audio,

    /// <summary>A missing frame filled from the previous one.</summary>
    Concealed,

    /// <summary>Nothing to play: not started, refilling, or concealment ran out.</summary>
    Silence,
}

/// <summary>Counters of one jitter buffer since it was created.</summary>
public readonly record struct JitterBufferStatistics(
    long Accepted,
    long TooLong,
    long Duplicates,
    long Late,
    long Resynchronisations,
    long ConcealedFrames,
    long Underruns,
    long DroppedFramesToShrink,
    int TargetDepthSamples,
    int CurrentDepthSamples,
    double JitterSamples);
