using System.Collections.Concurrent;
using System.Diagnostics;

namespace Talko.LoadClient;

/// <summary>Counters shared by every simulated user of a run.</summary>
public sealed class LoadCounters
{
    private int requests;
    private int failed;
    private int unexpectedDisconnects;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>Time since the counters were made (the run's start), to say when a failed request was sent.</summary>
    public TimeSpan SinceStart => clock.Elapsed;

    public int Requests => Volatile.Read(ref requests);

    public int FailedRequests => Volatile.Read(ref failed);

    public int UnexpectedDisconnects => Volatile.Read(ref unexpectedDisconnects);

    /// <summary>Why requests failed, with counts, for the report.</summary>
    public ConcurrentDictionary<string, int> Failures { get; } = new();

    public void Request() => Interlocked.Increment(ref requests);

    public void Failed(string why)
    {
        Interlocked.Increment(ref failed);
        Failures.AddOrUpdate(why, 1, (_, n) => n + 1);
    }

    public void UnexpectedDisconnect() => Interlocked.Increment(ref unexpectedDisconnects);
}
