using Talko.Core.Sip.Registrar;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>
/// Bindings whose first read for one address-of-record waits until released: a REGISTER stopped where it would wait
/// on Redis, to see what the engine does meanwhile.
/// </summary>
internal sealed class HeldBindingStore(ISipBindingStore inner) : ISipBindingStore
{
    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource secondRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? holding;
    private int reads;

    /// <summary>The held read began.</summary>
    public Task Held => held.Task;

    /// <summary>Another read of the held address began.</summary>
    public Task SecondRead => secondRead.Task;

    public void HoldFirstReadOf(string addressOfRecordPart) => holding = addressOfRecordPart;

    public void Release() => released.TrySetResult();

    public async ValueTask<IReadOnlyList<SipBinding>> GetAsync(string addressOfRecord, CancellationToken cancellationToken = default)
    {
        if (holding is { } part && addressOfRecord.Contains(part, StringComparison.Ordinal))
        {
            if (Interlocked.Increment(ref reads) == 1)
            {
                held.TrySetResult();
                await released.Task;
            }
            else
            {
                secondRead.TrySetResult();
            }
        }

        return await inner.GetAsync(addressOfRecord, cancellationToken);
    }

    public ValueTask<IReadOnlyList<SipBinding>> GetByUserAsync(string userId, CancellationToken cancellationToken = default) =>
        inner.GetByUserAsync(userId, cancellationToken);

    public ValueTask SetAsync(SipBinding binding, CancellationToken cancellationToken = default) => inner.SetAsync(binding, cancellationToken);

    public ValueTask RemoveAsync(string addressOfRecord, string contactUri, CancellationToken cancellationToken = default) =>
        inner.RemoveAsync(addressOfRecord, contactUri, cancellationToken);
}
