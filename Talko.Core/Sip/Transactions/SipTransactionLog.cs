using Microsoft.Extensions.Logging;

namespace Talko.Core.Sip.Transactions;

internal static partial class SipTransactionLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Merged request {Method} {CallId} answered 482 (RFC 3261 section 8.2.2.2)")]
    public static partial void MergedRequest(ILogger logger, string method, string callId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Transaction user failed on {Method} {CallId}")]
    public static partial void UserFailed(ILogger logger, Exception exception, string method, string callId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Send of {What} failed")]
    public static partial void SendFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Transaction table full ({Count}); {Method} refused with 503")]
    public static partial void TableFull(ILogger logger, int count, string method);
}
