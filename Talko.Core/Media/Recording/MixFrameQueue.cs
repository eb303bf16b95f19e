namespace Talko.Core.Media.Recording;

/// <summary>
/// The bounded ring of mixer frames between the mixer tick and a recorder's background writer: the tick only copies
/// its frame in (never blocks; a full queue drops the frame and counts it), the writer takes frames out in order.
/// Preallocated, so recording costs the tick no allocation.
/// </summary>
internal sealed class MixFrameQueue(int capacity, int frameSamples) : IDisposable
{
    private readonly Lock gate = new();
    private readonly short[] frames = new short[capacity * frameSamples];
    private readonly SemaphoreSlim ready = new(0);
    private long enqueued;
    private long dequeued;
    private long dropped;

    /// <summary>Frames accepted so far.</summary>
    public long Accepted => Interlocked.Read(ref enqueued);

    /// <summary>Frames refused because the writer was <c>capacity</c> frames behind.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Copies one frame in (its length is the caller's to check), or drops it when the queue is full.</summary>
    public void Enqueue(ReadOnlySpan<short> frame)
    {
        lock (gate)
        {
            if (enqueued - dequeued >= capacity)
            {
                dropped++;
                return;
            }

            frame.CopyTo(frames.AsSpan((int)(enqueued % capacity) * frameSamples, frameSamples));
            enqueued++;
        }

        ready.Release();
    }

    /// <summary>Copies the oldest frame into <paramref name="frame"/>; false when the queue is empty.</summary>
    public bool TryDequeue(Span<short> frame)
    {
        lock (gate)
        {
            if (dequeued == enqueued)
            {
                return false;
            }

            frames.AsSpan((int)(dequeued % capacity) * frameSamples, frameSamples).CopyTo(frame);
            dequeued++;
            return true;
        }
    }

    /// <summary>Waits until a frame was enqueued since the last wait; false once <paramref name="stopping"/> is cancelled.</summary>
    public async Task<bool> WaitAsync(CancellationToken stopping)
    {
        try
        {
            await ready.WaitAsync(stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => ready.Dispose();
}
