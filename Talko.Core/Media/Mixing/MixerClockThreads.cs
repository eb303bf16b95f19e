namespace Talko.Core.Media.Mixing;

/// <summary>
/// A few dedicated threads that tick every conference's <see cref="MixerClock"/> (ADR 0150 amendment). A tick waiting
/// in the thread pool's queue behind request work is a late tick, heard as a gap; a thread that only sleeps until the
/// next due tick is not queued behind anything. Each clock stays on one thread (ticks of a conference never overlap);
/// new clocks go to the thread with the fewest, so conferences spread over the cores. Waits use the real clock.
/// </summary>
public sealed class MixerClockThreads : IDisposable
{
    /// <summary>Longest sleep with nothing due, so a stop is noticed promptly.</summary>
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(100);

    private readonly Lock gate = new();
    private readonly TimingThread[] threads;
    private bool disposed;

    /// <param name="count">Timing threads to run; each starts with its first clock.</param>
    public MixerClockThreads(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        threads = new TimingThread[count];
    }

    /// <summary>Clocks being ticked, over all threads.</summary>
    public int ClockCount
    {
        get
        {
            lock (gate)
            {
                return threads.Sum(t => t?.Clocks.Length ?? 0);
            }
        }
    }

    /// <summary>Timing threads started so far.</summary>
    public int ThreadCount
    {
        get
        {
            lock (gate)
            {
                return threads.Count(t => t is not null);
            }
        }
    }

    internal void Add(MixerClock clock)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var index = Array.FindIndex(threads, t => t is null);
            if (index < 0)
            {
                index = Array.IndexOf(threads, threads.MinBy(t => t!.Clocks.Length));
            }

            var thread = threads[index] ??= new TimingThread(index);
            thread.Clocks = [.. thread.Clocks, clock];
            thread.Wake.Set();
        }
    }

    internal void Remove(MixerClock clock)
    {
        lock (gate)
        {
            foreach (var thread in threads)
            {
                if (thread is not null && thread.Clocks.Contains(clock))
                {
                    thread.Clocks = [.. thread.Clocks.Where(c => c != clock)];
                }
            }
        }
    }

    public void Dispose()
    {
        TimingThread[] started;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            started = [.. threads.Where(t => t is not null).Select(t => t!)];
        }

        foreach (var thread in started)
        {
            thread.Stop();
        }
    }

    private sealed class TimingThread
    {
        private readonly Thread thread;
        private volatile bool stopping;

        public TimingThread(int index)
        {
            thread = new Thread(Run) { IsBackground = true, Name = $"talko-mixer-clock-{index}", Priority = ThreadPriority.AboveNormal };
            thread.Start();
        }

        /// <summary>Replaced whole on change (copy on write), so the loop reads it without a lock.</summary>
        public MixerClock[] Clocks { get; set; } = [];

        public ManualResetEventSlim Wake { get; } = new(false, spinCount: 0);

        public void Stop()
        {
            stopping = true;
            Wake.Set();
            thread.Join(TimeSpan.FromSeconds(5));
            Wake.Dispose();
        }

        private void Run()
        {
            while (!stopping)
            {
                var wait = IdleWait;
                foreach (var clock in Clocks)
                {
                    var due = clock.DueIn();
                    if (due <= TimeSpan.Zero && clock.Step())
                    {
                        due = clock.DueIn();
                    }

                    if (due < wait)
                    {
                        wait = due;
                    }
                }

                if (wait > TimeSpan.Zero)
                {
                    // Whole milliseconds, rounded up: waking a little late costs nothing (the next tick is anchored),
                    // waking early would spin.
                    Wake.Wait((int)Math.Ceiling(wait.TotalMilliseconds));
                    Wake.Reset();
                }
            }
        }
    }
}
