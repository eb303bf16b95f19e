using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transactions;

/// <summary>The layer above transactions (the UA core, RFC 3261 section 8): what the transaction layer hands up.</summary>
public interface ISipTransactionUser
{
    /// <summary>A new request (not ACK) with its server transaction; the user must send a final response.</summary>
    ValueTask OnRequestAsync(SipServerTransaction transaction);

    /// <summary>An ACK for a 2xx, which is its own transaction (section 17.1.1.3) and reaches the dialog directly.</summary>
    ValueTask OnAckAsync(SipRequest ack);

    /// <summary>A response matching no client transaction, such as a 2xx retransmitted after the transaction ended.</summary>
    ValueTask OnStrayResponseAsync(SipResponse response);
}
