namespace Talko.Core.Media.Jitter;

/// <summary>Limits of the adaptive jitter buffer. Depths are playout delays ahead of the mixer.</summary>
public sealed class JitterBufferOptions
{
    public int SampleRate { get; set; } = 8000;

    /// <summary>Samples the mixer takes per tick (20 ms at 8 kHz).</summary>
    public int FrameSamples { get; set; } = 160;

    public TimeSpan MinDepth { get; set; } = TimeSpan.FromMilliseconds(40);

    public TimeSpan MaxDepth { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How far ahead of playout a packet may land before the buffer resynchronises to it.</summary>
    public TimeSpan Capacity { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Target depth = one frame + this many times the measured interarrival jitter.</summary>
    public double JitterMultiplier { get; set; } = 4;

    /// <summary>Consecutive missing frames filled by repeating the last one (halved each time) before silence.</summary>
    public int MaxConcealedFrames { get; set; } = 4;

    /// <summary>Consecutive reads with the depth over target + 2 frames before one frame is dropped to shrink it.</summary>
    public int ShrinkAfterFrames { get; set; } = 10;

    internal void Validate()
    {
        if (SampleRate <= 0 || FrameSamples <= 0 || MinDepth < TimeSpan.Zero || MaxDepth < MinDepth || Capacity <= MaxDepth
            || JitterMultiplier < 0 || MaxConcealedFrames < 0 || ShrinkAfterFrames < 1)
        {
            throw new ArgumentException(
                "Jitter buffer options need a positive rate and frame, 0 <= MinDepth <= MaxDepth < Capacity, and non-negative multiplier and concealment.");
        }
    }
}
