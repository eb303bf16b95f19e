namespace Talko.Core.Sip.Transactions;

/// <summary>A one-shot restartable timer on a <see cref="TimeProvider"/>, so tests can drive every RFC timer.</summary>
internal sealed class TransactionTimer(TimeProvider time, Action callback) : IDisposable
{
    private ITimer? timer;

    public TimeSpan Interval { get; private set; }

    public bool IsRunning => timer is not null;

    public void Start(TimeSpan due)
    {
        timer?.Dispose();
        Interval = due;
        timer = time.CreateTimer(static state => ((Action)state!)(), callback, due, Timeout.InfiniteTimeSpan);
    }

    public void Stop()
    {
        timer?.Dispose();
        timer = null;
    }

    public void Dispose() => Stop();
}
