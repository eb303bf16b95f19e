namespace Talko.Server.Sip;

internal static partial class SipHostLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "SIP engine listening on {EndPoints}; advertised as {SipAddress}")]
    public static partial void Started(ILogger logger, string endPoints, string sipAddress);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "SIP ports {UdpPort}/{TcpPort} are not available ({Error}); binding free ports instead")]
    public static partial void PortTaken(ILogger logger, int udpPort, int tcpPort, string error);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "The SIP engine could not start; this instance runs without SIP and takes no calls")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "SIP is disabled (Talko:Sip:Enabled=false); this instance takes no calls")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Stopping the SIP engine failed")]
    public static partial void StopFailed(ILogger logger, Exception exception);
}
