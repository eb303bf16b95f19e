using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transactions;

namespace Talko.Core.Sip.Dialogs;

/// <summary>Handles an out-of-dialog request of one method (REGISTER, INVITE...). It must send a final response.</summary>
public interface ISipRequestHandler
{
    ValueTask HandleAsync(SipServerTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>Owns a dialog's behaviour: requests within it, the ACK of its 2xx, and its end.</summary>
public interface ISipDialogHandler
{
    /// <summary>A request within the dialog (BYE, re-INVITE, INFO, OPTIONS...). It must send a final response.</summary>
    ValueTask OnRequestAsync(SipDialog dialog, SipServerTransaction transaction, CancellationToken cancellationToken);

    ValueTask OnAckAsync(SipDialog dialog, SipRequest ack, CancellationToken cancellationToken);
}
