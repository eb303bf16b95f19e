using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Mixing;

/// <summary>
/// Calls a tick action every interval on a schedule anchored at its start, so ticks average exactly one
/// per interval however late the timer wakes: late wakes run the missed ticks back to back (up to a
/// limit), and a longer stall skips ahead rather than bursting. Time comes from <see cref="TimeProvider"/>.
/// </summary>
public sealed class MixerClock : IAsyncDisposable
{
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan interval;
    private readonly int maxCatchUpTicks;
    private readonly Action tick;
    private readonly Action<long>? skipped;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private Task? loop;
    private long lateTicks;
    private long skippedTicks;

    /// <summary>
    /// Creates a stopped clock. <paramref name="skipped"/> is told how many ticks were skipped after a stall,
    /// so time-keeping (recording length, RTP timestamps) stays on the wall clock.
    /// </summary>
    public MixerClock(TimeProvider timeProvider, TimeSpan interval, int maxCatchUpTicks, Action tick, ILogger logger, Action<long>? skipped = null)
    {
        this.skipped = skipped;
        this.timeProvider = timeProvider;
        this.interval = interval;
        this.maxCatchUpTicks = maxCatchUpTicks;
        this.tick = tick;
        this.logger = logger;
    }

    /// <summary>Ticks that ran more than one interval after their scheduled time.</summary>
    public long LateTicks => Interlocked.Read(ref lateTicks);

    /// <summary>Ticks never run because the clock fell too far behind.</summary>
    public long SkippedTicks => Interlocked.Read(ref skippedTicks);

    public void Start() => loop ??= Task.Run(() => RunAsync(stopping.Token));

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var start = timeProvider.GetTimestamp();
        long scheduled = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = interval * scheduled;
            var wait = due - timeProvider.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var elapsed = timeProvider.GetElapsedTime(start);
            var behind = (long)((elapsed - due) / interval);
            if (behind > maxCatchUpTicks)
            {
                Interlocked.Add(ref skippedTicks, behind - maxCatchUpTicks);
                MixingLog.TicksSkipped(logger, behind);
                scheduled += behind - maxCatchUpTicks;
                try
                {
                    skipped?.Invoke(behind - maxCatchUpTicks);
                }
                catch (Exception exception)
                {
                    MixingLog.TickFailed(logger, exception);
                }
            }

            if (behind >= 1)
            {
                Interlocked.Increment(ref lateTicks);
            }

            try
            {
                tick();
            }
            catch (Exception exception)
            {
                MixingLog.TickFailed(logger, exception);
            }

            scheduled++;
        }
    }
}
