namespace Talko.Core.Media.Mixing;

public sealed class ConferenceMixerOptions
{
    /// <summary>Samples per tick: 20 ms at 48 kHz (ADR 0810), the ptime offered in SDP. Fixed: the codecs assume it.</summary>
    public int FrameSamples { get; set; } = 960;

    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    public int MaxParticipants { get; set; } = 2000;

    /// <summary>
    /// Ticks the clock runs back to back to catch up after a stall (the jitter buffers still hold that audio);
    /// beyond that it skips ahead, and the recording gets silence for the skipped time.
    /// </summary>
    public int MaxCatchUpTicks { get; set; } = 25;

    /// <summary>
    /// Dedicated threads that tick the conferences' clocks (each conference on one of them; about one per core is
    /// right); 0 ticks each conference from the thread pool instead. Used only with the system clock: a test's fake
    /// clock always uses the pool.
    /// </summary>
    public int ClockThreads { get; set; } = 4;

    /// <summary>
    /// How many talkers are mixed at once: each tick the legs are ranked by level (their RFC 6464 audio level where they
    /// send it, the decoded frame's energy otherwise) and only this many loudest are decoded and heard (ADR 0930). 1-64.
    /// </summary>
    public int LoudestTalkers { get; set; } = 3;

    public TalkerDetectionOptions Talker { get; set; } = new();

    internal void Validate()
    {
        if (FrameSamples != 960 || TickInterval <= TimeSpan.Zero || MaxParticipants < 1 || MaxCatchUpTicks < 0 || ClockThreads is < 0 or > 64
            || LoudestTalkers is < 1 or > 64)
        {
            throw new ArgumentException(
                "Mixer options need 960-sample frames (20 ms at 48 kHz), a positive tick interval and participant limit, 0-64 clock threads and 1-64 loudest talkers.");
        }

        Talker.Validate();
    }
}
