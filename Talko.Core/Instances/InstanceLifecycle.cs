namespace Talko.Core.Instances;

/// <summary>
/// This process's own place in its lifecycle. Draining is one-way: once started it is never undone,
/// so readers need no lock and observers hear it once.
/// </summary>
public sealed class InstanceLifecycle(string instanceId, TimeProvider time)
{
    private int draining;

    public string InstanceId { get; } = instanceId;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public InstanceState State => Volatile.Read(ref draining) == 1 ? InstanceState.Draining : InstanceState.Serving;

    public bool IsDraining => State == InstanceState.Draining;

    /// <summary>Raised once, on the thread that started the drain.</summary>
    public event Action? DrainStarted;

    /// <summary>Starts draining. Returns false if it had already started.</summary>
    public bool BeginDrain()
    {
        if (Interlocked.Exchange(ref draining, 1) == 1)
        {
            return false;
        }

        DrainStarted?.Invoke();
        return true;
    }
}
