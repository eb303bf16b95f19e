using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Transactions;

/// <summary>
/// RFC 3261 section 17.1.1 with RFC 6026: Calling (timers A, B), Proceeding, Completed (ACK sent, timer D) for
/// failures, Accepted (timer M) for 2xx, during which retransmitted 2xx go to the TU so it can re-ACK.
/// </summary>
public sealed class InviteClientTransaction : SipClientTransaction
{
    private readonly TransactionTimer timerA, timerB, timerD, timerM;
    private SipRequest? ack;

    internal InviteClientTransaction(SipTransactionLayer layer, string key, SipRequest request, SipTarget target) : base(layer, key, request, target)
    {
        State = SipTransactionState.Calling;
        timerA = NewTimer(OnTimerA);
        timerB = NewTimer(TimedOut);
        timerD = NewTimer(Terminate);
        timerM = NewTimer(Terminate);
    }

    /// <summary>A 2xx retransmission arrived while Accepted; the TU re-sends its ACK (section 13.2.2.4).</summary>
    public event Action<SipResponse>? SuccessRetransmitted;

    internal override void Start()
    {
        lock (Gate)
        {
            if (!IsReliable)
            {
                timerA.Start(T1);
            }

            timerB.Start(Layer.Timers.TransactionTimeout);
        }
        Send();
    }

    internal override void OnResponse(SipResponse response)
    {
        var action = 0; // 1 provisional, 2 success, 3 failure (send ACK), 4 resend ACK, 5 2xx retransmission
        lock (Gate)
        {
            switch (State)
            {
                case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsProvisional:
                    State = SipTransactionState.Proceeding;
                    timerA.Stop();
                    action = 1;
                    break;
                case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsSuccess:
                    State = SipTransactionState.Accepted;
                    timerA.Stop();
                    timerB.Stop();
                    timerM.Start(Layer.Timers.TransactionTimeout);
                    action = 2;
                    break;
                case SipTransactionState.Calling or SipTransactionState.Proceeding:
                    State = SipTransactionState.Completed;
                    timerA.Stop();
                    timerB.Stop();
                    timerD.Start(IsReliable ? TimeSpan.Zero : Layer.Timers.TimerD);
                    ack = CreateAck(response);
                    action = 3;
                    break;
                case SipTransactionState.Completed when response.StatusCode >= 300:
                    action = 4;
                    break;
                case SipTransactionState.Accepted when response.IsSuccess:
                    action = 5;
                    break;
            }
        }
        switch (action)
        {
            case 1:
                RaiseProvisional(response);
                break;
            case 2:
                Complete(response);
                break;
            case 3:
                Layer.SendRequestNoWait(ack!, Target, null);
                Complete(response);
                break;
            case 4:
                Layer.SendRequestNoWait(ack!, Target, null);
                break;
            case 5:
                SuccessRetransmitted?.Invoke(response);
                break;
        }
    }

    /// <summary>The ACK for a non-2xx final response (section 17.1.1.3): same branch, To from the response.</summary>
    private SipRequest CreateAck(SipResponse response)
    {
        var request = new SipRequest(SipMethods.Ack, Request.Uri)
        {
            From = Request.From,
            To = response.To,
            CallId = Request.CallId,
            CSeq = new SipCSeq(Request.CSeq.Number, SipMethods.Ack),
            MaxForwards = 70,
        };
        request.Vias.Add(Request.TopVia);
        request.Routes.AddRange(Request.Routes);
        return request;
    }

    private void OnTimerA()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Calling)
            {
                return;
            }

            timerA.Start(timerA.Interval * 2);
        }
        Send();
    }
}
