namespace Talko.Core.Sip.Registrar;

/// <summary>
/// One REGISTER at a time per address-of-record on this instance, in the order they arrived. REGISTERs no longer hold
/// the receive loop while a store answers (ADR 0112), so two for the same address could otherwise both read the same
/// bindings and write, or the later one finish first: the Call-ID/CSeq ordering and the bindings limit of RFC 3261
/// section 10.3 need them one after the other. Addresses share a fixed set of turns by hash, so memory stays flat
/// however many devices register; two addresses that share one only wait for each other's store round trips.
/// </summary>
public sealed class AddressOfRecordTurns
{
    /// <summary>
    /// REGISTERs on one turn at once (the one holding it and those waiting) beyond which more are refused: a store that
    /// stopped answering, or one account flooding its own address, must not queue without end.
    /// </summary>
    public const int MaxQueuedPerTurn = 32;

    private const int Count = 256;
    private readonly SemaphoreSlim[] turns = Enumerable.Range(0, Count).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly int[] queued = new int[Count];

    /// <summary>
    /// Waits for the address's turn; the caller takes it before its first wait, so turns go in arrival order (waiters on a
    /// SemaphoreSlim are released first in, first out). Not taken when <see cref="MaxQueuedPerTurn"/> are already queued.
    /// </summary>
    public async ValueTask<Turn> TakeAsync(string addressOfRecord, CancellationToken cancellationToken)
    {
        var index = IndexOf(addressOfRecord);
        if (Interlocked.Increment(ref queued[index]) > MaxQueuedPerTurn)
        {
            Interlocked.Decrement(ref queued[index]);
            return default;
        }

        try
        {
            await turns[index].WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref queued[index]);
            throw;
        }

        return new Turn(this, index);
    }

    /// <summary>Which turn an address takes: FNV-1a, the same in every process (.NET randomises string hashes per process).</summary>
    internal static int IndexOf(string addressOfRecord)
    {
        var hash = 2166136261u;
        foreach (var c in addressOfRecord)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Count);
    }

    private void Release(int index)
    {
        Interlocked.Decrement(ref queued[index]);
        turns[index].Release();
    }

    /// <summary>A turn, held until disposed; <see cref="Taken"/> is false when the queue was full.</summary>
    public readonly struct Turn : IDisposable
    {
        private readonly AddressOfRecordTurns? owner;
        private readonly int index;

        internal Turn(AddressOfRecordTurns owner, int index)
        {
            this.owner = owner;
            this.index = index;
        }

        public bool Taken => owner is not null;

        public void Dispose() => owner?.Release(index);
    }
}
