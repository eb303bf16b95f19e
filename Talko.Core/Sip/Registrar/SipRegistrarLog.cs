using Microsoft.Extensions.Logging;

namespace Talko.Core.Sip.Registrar;

internal static partial class SipRegistrarLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "REGISTER {AddressOfRecord} from {Source}: {Outcome}")]
    public static partial void AuthFailed(ILogger logger, string addressOfRecord, string? source, SipAuthOutcome outcome);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Registered {AddressOfRecord} -> {Contact} for {Expires} s")]
    public static partial void Registered(ILogger logger, string addressOfRecord, string contact, long expires);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "REGISTER {AddressOfRecord} from {Source} refused with 503: {Queued} REGISTERs already wait for its turn (a store that stopped answering, or a flood)")]
    public static partial void TooManyWaiting(ILogger logger, string addressOfRecord, string? source, int queued);
}
