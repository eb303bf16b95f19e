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

    public TalkerDetectionOptions Talker { get; set; } = new();

    internal void Validate()
    {
        if (FrameSamples != 960 || TickInterval <= TimeSpan.Zero || MaxParticipants < 1 || MaxCatchUpTicks < 0 || ClockThreads is < 0 or > 64)
        {
            throw new ArgumentException("Mixer options need 960-sample frames (20 ms at 48 kHz), a positive tick interval and participant limit, and 0-64 clock threads.");
        }

        Talker.Validate();
    }
}
