using Microsoft.Extensions.Logging;

namespace Talko.Core.Sip.Registrar;

internal static partial class SipRegistrarLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "REGISTER {AddressOfRecord} from {Source}: {Outcome}")]
    public static partial void AuthFailed(ILogger logger, string addressOfRecord, string? source, SipAuthOutcome outcome);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Registered {AddressOfRecord} -> {Contact} for {Expires} s")]
    public static partial void Registered(ILogger logger, string addressOfRecord, string contact, long expires);
}
