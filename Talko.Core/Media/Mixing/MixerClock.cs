using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Mixing;

/// <summary>
/// Calls a tick action every interval on a schedule anchored at its start, so ticks average exactly one
/// per interval however late the clock wakes: late wakes run the missed ticks back to back (up to a
/// limit), and a longer stall skips ahead rather than bursting. Time comes from <see cref="TimeProvider"/>.
/// It is driven either by <see cref="MixerClockThreads"/> (dedicated timing threads, in production) or, without
/// them, by its own loop of <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> (so tests can drive time).
/// </summary>
public sealed class MixerClock : IAsyncDisposable
{
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan interval;
    private readonly int maxCatchUpTicks;
    private readonly Action tick;
    private readonly Action<long>? skipped;
    private readonly ILogger logger;
    private readonly MixerClockThreads? threads;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock stepping = new();
    private Task? loop;
    private bool started;
    private bool stopped;
    private long start;
    private long scheduled;
    private long lateTicks;
    private long skippedTicks;

    /// <summary>
    /// Creates a stopped clock. <paramref name="skipped"/> is told how many ticks were skipped after a stall,
    /// so time-keeping (recording length, RTP timestamps) stays on the wall clock. With <paramref name="threads"/>
    /// the clock is ticked by one of those timing threads; without, by a loop on the thread pool.
    /// </summary>
    public MixerClock(
        TimeProvider timeProvider, TimeSpan interval, int maxCatchUpTicks, Action tick, ILogger logger, Action<long>? skipped = null, MixerClockThreads? threads = null)
    {
        this.skipped = skipped;
        this.timeProvider = timeProvider;
        this.interval = interval;
        this.maxCatchUpTicks = maxCatchUpTicks;
        this.tick = tick;
        this.logger = logger;
        this.threads = threads;
    }

    /// <summary>Ticks that ran more than one interval after their scheduled time.</summary>
    public long LateTicks => Interlocked.Read(ref lateTicks);

    /// <summary>Ticks never run because the clock fell too far behind.</summary>
    public long SkippedTicks => Interlocked.Read(ref skippedTicks);

    public void Start()
    {
        lock (stepping)
        {
            if (started)
            {
                return;
            }

            started = true;
            start = timeProvider.GetTimestamp();
        }

        if (threads is not null)
        {
            threads.Add(this);
        }
        else
        {
            loop = Task.Run(() => RunAsync(stopping.Token));
        }
    }

    /// <summary>Stops the clock; once this returns, no tick is running or will run.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (stepping)
        {
            // A timing thread steps under this lock, so after it no step is in progress or to come.
            stopped = true;
        }

        threads?.Remove(this);
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        stopping.Dispose();
    }

    /// <summary>How long until the next tick is due (zero or less: due now).</summary>
    internal TimeSpan DueIn() => interval * Volatile.Read(ref scheduled) - timeProvider.GetElapsedTime(start);

    /// <summary>Runs the tick that is due (after skipping ahead if the clock fell too far behind). False once stopped.</summary>
    internal bool Step()
    {
        lock (stepping)
        {
            if (stopped)
            {
                return false;
            }

            var due = interval * scheduled;
            var behind = (long)((timeProvider.GetElapsedTime(start) - due) / interval);
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

            var tickStarted = MediaMetrics.Timestamp();
            try
            {
                tick();
            }
            catch (Exception exception)
            {
                MixingLog.TickFailed(logger, exception);
            }

            if (tickStarted != 0)
            {
                MediaMetrics.TickTook(System.Diagnostics.Stopwatch.GetElapsedTime(tickStarted));
            }

            Volatile.Write(ref scheduled, scheduled + 1);
            return true;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = DueIn();
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

            if (!Step())
            {
                return;
            }
        }
    }
}
