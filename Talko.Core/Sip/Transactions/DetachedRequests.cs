namespace Talko.Core.Sip.Transactions;

/// <summary>
/// The requests of one kind that a channel's receive loop let go on their own while they wait (ADR 0112), up to a cap.
/// Past it the loop waits for each one itself, as it did before: a store or media engine that slowed down slows new
/// requests of that kind instead of filling the transaction table that every other request needs too.
/// </summary>
internal sealed class DetachedRequests(int limit)
{
    private int count;

    /// <summary>How many may wait off the loop at once.</summary>
    public int Limit { get; } = limit;

    /// <summary>How many wait off the loop now.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Takes a place if one is free; the caller gives it back with <see cref="Return"/> when the request is done.</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref count) <= Limit)
        {
            return true;
        }

        Interlocked.Decrement(ref count);
        return false;
    }

    public void Return() => Interlocked.Decrement(ref count);
}
