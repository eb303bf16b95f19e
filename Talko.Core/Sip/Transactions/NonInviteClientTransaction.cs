using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Transactions;

/// <summary>RFC 3261 section 17.1.2: Trying, Proceeding (timers E, F), Completed (timer K), Terminated.</summary>
public sealed class NonInviteClientTransaction : SipClientTransaction
{
    private readonly TransactionTimer timerE, timerF, timerK;

    internal NonInviteClientTransaction(SipTransactionLayer layer, string key, SipRequest request, SipTarget target) : base(layer, key, request, target)
    {
        State = SipTransactionState.Trying;
        timerE = NewTimer(OnTimerE);
        timerF = NewTimer(TimedOut);
        timerK = NewTimer(Terminate);
    }

    internal override void Start()
    {
        lock (Gate)
        {
            if (!IsReliable)
            {
                timerE.Start(T1);
            }

            timerF.Start(Layer.Timers.TransactionTimeout);
        }
        Send();
    }

    internal override void OnResponse(SipResponse response)
    {
        lock (Gate)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            {
                return;
            }

            if (response.IsProvisional)
            {
                State = SipTransactionState.Proceeding;
            }
            else
            {
                State = SipTransactionState.Completed;
                timerE.Stop();
                timerF.Stop();
                timerK.Start(IsReliable ? TimeSpan.Zero : T4);
            }
        }
        if (response.IsProvisional)
        {
            RaiseProvisional(response);
        }
        else
        {
            Complete(response);
        }
    }

    private void OnTimerE()
    {
        lock (Gate)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            {
                return;
            }

            timerE.Start(State == SipTransactionState.Trying ? Min(timerE.Interval * 2, T2) : T2);
        }
        Send();
    }
}
