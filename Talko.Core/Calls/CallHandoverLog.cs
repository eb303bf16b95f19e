using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Conferencing;

namespace Talko.Core.Calls;

internal static partial class CallHandoverLog
{
    [LoggerMessage(EventId = 7120, Level = LogLevel.Information, Message = "Leg {LegId} of moved call {CallId} handed to {NewOwner}: {Outcome} (REFER answered {ReferStatus})")]
    public static partial void Transferred(ILogger logger, Guid callId, LegId legId, string newOwner, ConferenceTransferOutcome outcome, int referStatus);

    [LoggerMessage(EventId = 7121, Level = LogLevel.Information, Message = "Leg {LegId} of moved call {CallId} could not be transferred: {Fallback}")]
    public static partial void FellBack(ILogger logger, Guid callId, LegId legId, string fallback);

    [LoggerMessage(EventId = 7122, Level = LogLevel.Warning, Message = "Transferring leg {LegId} of moved call {CallId} failed")]
    public static partial void TransferFailed(ILogger logger, Guid callId, LegId legId, Exception exception);
}
