using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transactions;

/// <summary>
/// RFC 3261 section 17.2.2: Trying, Proceeding, Completed (timer J), Terminated. Over UDP the Completed state is
/// handed to the layer's compact table (ADR 0161): the object reports Terminated at once while the layer keeps
/// answering retransmissions with the final response until Timer J.
/// </summary>
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
        var compact = false;
        lock (Gate)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            {
                return;
            }

            LastResponse = response;
            if (response.IsProvisional)
            {
                State = SipTransactionState.Proceeding;
            }
            else
            {
                FinalResponse = response;
                State = SipTransactionState.Completed;
                if (IsReliable)
                {
                    timerJ.Start(TimeSpan.Zero);
                }
                else
                {
                    compact = true;
                }
            }
        }

        if (compact)
        {
            var sent = Layer.CompleteAsync(this, response);
            Terminate();
            await sent;
            return;
        }

        await Layer.SendResponseAsync(response, Request.Source);
    }

    internal override void OnRetransmission(SipRequest request)
    {
        lock (Gate)
        {
            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed)
            {
                Resend();
            }
        }
    }
}
