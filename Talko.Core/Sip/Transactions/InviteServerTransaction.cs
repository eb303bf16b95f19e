using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transactions;

/// <summary>
/// RFC 3261 section 17.2.1 with the Accepted state of RFC 6026: Proceeding, then Completed (timers G, H, I)
/// for failures or Accepted (timer L) for 2xx. While Accepted the 2xx is retransmitted (T1 doubling to T2)
/// until the UAS core reports its ACK (section 13.3.1.4); that duty is hosted here so every UAS gets it.
/// </summary>
public sealed class InviteServerTransaction : SipServerTransaction
{
    private readonly TransactionTimer timerG, timerH, timerI, timerL, successRetransmit;
    private bool successAcknowledged;

    internal InviteServerTransaction(SipTransactionLayer layer, string key, SipRequest request) : base(layer, key, request)
    {
        State = SipTransactionState.Proceeding;
        timerG = NewTimer(OnTimerG);
        timerH = NewTimer(OnTimerH);
        timerI = NewTimer(Terminate);
        timerL = NewTimer(OnTimerL);
        successRetransmit = NewTimer(OnSuccessRetransmit);
    }

    /// <summary>No ACK came: for a failure response within timer H, or for a 2xx within 64*T1.</summary>
    public event Action<InviteServerTransaction>? AckNotReceived;

    /// <summary>True once a CANCEL ended this transaction with 487 (RFC 3261 section 9.2).</summary>
    public bool IsCancelled { get; private set; }

    /// <summary>Raised after a CANCEL made this transaction answer 487.</summary>
    public event Action<InviteServerTransaction>? Cancelled;

    /// <summary>Answers 487 if no final response went out yet (section 9.2); false when too late to cancel.</summary>
    public async ValueTask<bool> CancelAsync()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Proceeding || IsCancelled)
            {
                return false;
            }

            IsCancelled = true;
        }
        await SendResponseAsync(SipResponse.For(Request, SipStatusCodes.RequestTerminated, SipIdentifiers.NewTag()));
        Cancelled?.Invoke(this);
        return true;
    }

    internal async ValueTask StartAsync()
    {
        if (!Layer.Timers.SendTryingImmediately)
        {
            return;
        }

        var trying = SipResponse.For(Request, SipStatusCodes.Trying);
        lock (Gate)
        {
            if (LastResponse is not null)
            {
                return;
            }

            LastResponse = trying;
        }
        await Layer.SendResponseAsync(trying, Request.Source);
    }

    public override async ValueTask SendResponseAsync(SipResponse response)
    {
        lock (Gate)
        {
            if (State == SipTransactionState.Accepted && response.IsSuccess)
            {
                LastResponse = response;
            }
            else if (State != SipTransactionState.Proceeding)
            {
                return;
            }
            else
            {
                LastResponse = response;
                if (response.IsSuccess)
                {
                    FinalResponse = response;
                    State = SipTransactionState.Accepted;
                    timerL.Start(Layer.Timers.TransactionTimeout);
                    if (!IsReliable)
                    {
                        successRetransmit.Start(T1);
                    }
                }
                else if (!response.IsProvisional)
                {
                    FinalResponse = response;
                    State = SipTransactionState.Completed;
                    if (!IsReliable)
                    {
                        timerG.Start(T1);
                    }

                    timerH.Start(Layer.Timers.TransactionTimeout);
                }
            }
        }
        await Layer.SendResponseAsync(response, Request.Source);
    }

    internal override void OnRetransmission(SipRequest request)
    {
        // INVITE retransmissions in Accepted are absorbed (RFC 6026 section 7.1); the 2xx timer covers loss.
        lock (Gate)
        {
            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed)
            {
                Resend();
            }
        }
    }

    /// <summary>An ACK matched this transaction: ends Completed (section 17.2.1) or reports a 2xx ACK.</summary>
    internal bool OnAck()
    {
        lock (Gate)
        {
            if (State == SipTransactionState.Completed)
            {
                State = SipTransactionState.Confirmed;
                timerG.Stop();
                timerH.Stop();
                timerI.Start(IsReliable ? TimeSpan.Zero : T4);
                return false;
            }
        }
        if (State == SipTransactionState.Accepted)
        {
            OnSuccessAcknowledged();
        }

        return State == SipTransactionState.Accepted;
    }

    /// <summary>The UAS core saw the ACK for the 2xx (a separate transaction): stop retransmitting it.</summary>
    public void OnSuccessAcknowledged()
    {
        lock (Gate)
        {
            successAcknowledged = true;
            successRetransmit.Stop();
        }
    }

    private void OnTimerG()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Completed)
            {
                return;
            }

            Resend();
            timerG.Start(Min(timerG.Interval * 2, T2));
        }
    }

    private void OnSuccessRetransmit()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Accepted || successAcknowledged)
            {
                return;
            }

            Resend();
            successRetransmit.Start(Min(successRetransmit.Interval * 2, T2));
        }
    }

    private void OnTimerH()
    {
        Terminate();
        AckNotReceived?.Invoke(this);
    }

    private void OnTimerL()
    {
        bool acked;
        lock (Gate)
        {
            acked = successAcknowledged;
        }

        Terminate();
        if (!acked)
        {
            AckNotReceived?.Invoke(this);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
