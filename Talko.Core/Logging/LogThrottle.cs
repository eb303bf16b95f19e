namespace Talko.Core.Logging;

/// <summary>
/// At most one log line per interval for a failure that repeats (a dependency away, a flood of refusals): the first
/// occurrence after a quiet interval is written at once, the ones that follow within the interval are only counted and
/// reported by the next line written. Each logging component owns its own throttle, so one noisy cause never hides
/// another's first line.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly Lock gate = new();
    private long? lastLine;
    private long held;

    public TimeSpan Interval => interval;

    /// <summary>
    /// Records one occurrence. True when it should be written now; <paramref name="heldBack"/> is how many occurrences
    /// were not written since the previous line.
    /// </summary>
    public bool ShouldWrite(out long heldBack)
    {
        lock (gate)
        {
            var now = clock.GetTimestamp();
            if (lastLine is { } last && clock.GetElapsedTime(last, now) < interval)
            {
                held++;
                heldBack = 0;
                return false;
            }

            lastLine = now;
            heldBack = held;
            held = 0;
            return true;
        }
    }
}
