using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transactions;

/// <summary>What every transaction shares: its key, its request, its state and a lock for its timers.</summary>
public abstract class SipTransaction
{
    private protected readonly object Gate = new();
    private readonly List<TransactionTimer> timers = [];
    private int terminated;

    private protected SipTransaction(SipTransactionLayer layer, string key, SipRequest request)
    {
        Layer = layer;
        Key = key;
        Request = request;
    }

    private protected SipTransactionLayer Layer { get; }

    public string Key { get; }

    public SipRequest Request { get; }

    public SipTransactionState State { get; private protected set; }

    public bool IsInvite => Request.Method == SipMethods.Invite;

    /// <summary>Raised once, outside the transaction's lock, when it reaches Terminated.</summary>
    public event Action<SipTransaction>? Terminated;

    private protected abstract bool IsReliable { get; }

    private protected TimeSpan T1 => Layer.Timers.T1;

    private protected TimeSpan T2 => Layer.Timers.T2;

    private protected TimeSpan T4 => Layer.Timers.T4;

    private protected TransactionTimer NewTimer(Action onFire)
    {
        var timer = new TransactionTimer(Layer.Time, onFire);
        timers.Add(timer);
        return timer;
    }

    /// <summary>Moves to Terminated; callers must not hold <see cref="Gate"/> so that handlers may call back in.</summary>
    private protected void Terminate()
    {
        if (Interlocked.Exchange(ref terminated, 1) == 1)
        {
            return;
        }

        lock (Gate)
        {
            State = SipTransactionState.Terminated;
            foreach (var timer in timers)
            {
                timer.Dispose();
            }
        }
        Layer.Remove(this);
        OnTerminated();
        Terminated?.Invoke(this);
    }

    private protected virtual void OnTerminated()
    {
    }

    public override string ToString() => $"{GetType().Name} {Key} {State}";
}
