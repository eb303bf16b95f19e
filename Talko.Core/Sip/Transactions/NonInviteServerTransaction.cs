using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transactions;

/// <summary>RFC 3261 section 17.2.2: Trying, Proceeding, Completed (timer J), Terminated.</summary>
public sealed class NonInviteServerTransaction : SipServerTransaction
{
    private readonly TransactionTimer timerJ;

    internal NonInviteServerTransaction(SipTransactionLayer layer, string key, SipRequest request) : base(layer, key, request)
    {
        State = SipTransactionState.Trying;
        timerJ = NewTimer(Terminate);
    }

    public override async ValueTask SendResponseAsync(SipResponse response)
    {
        lock (Gate)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding)) return;
            LastResponse = response;
            if (response.IsProvisional)
            {
                State = SipTransactionState.Proceeding;
            }
            else
            {
                FinalResponse = response;
                State = SipTransactionState.Completed;
                timerJ.Start(IsReliable ? TimeSpan.Zero : Layer.Timers.TransactionTimeout);
            }
        }
        await Layer.SendResponseAsync(response, Request.Source);
    }

    internal override void OnRetransmission(SipRequest request)
    {
        lock (Gate)
        {
            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed) Resend();
        }
    }
}
