using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transactions;

/// <summary>A server transaction as the transaction user sees it (RFC 3261 section 17.2).</summary>
public abstract class SipServerTransaction : SipTransaction
{
    private protected SipResponse? LastResponse;

    private protected SipServerTransaction(SipTransactionLayer layer, string key, SipRequest request) : base(layer, key, request)
    {
    }

    private protected override bool IsReliable => Request.Source?.Protocol == SipTransportProtocol.Tcp;

    /// <summary>The final response sent, if any.</summary>
    public SipResponse? FinalResponse { get; private protected set; }

    /// <summary>Sends a response through the state machine; responses the state no longer allows are ignored.</summary>
    public abstract ValueTask SendResponseAsync(SipResponse response);

    /// <summary>A retransmission of the request arrived (same key).</summary>
    internal abstract void OnRetransmission(SipRequest request);

    private protected void Resend()
    {
        var response = LastResponse;
        if (response is not null)
        {
            Layer.SendResponseNoWait(response, Request.Source);
        }
    }
}
