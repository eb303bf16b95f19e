using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Engine;

internal static partial class MediaEngineLog
{
    [LoggerMessage(EventId = 6050, Level = LogLevel.Information, Message = "WebRTC leg {LegId} of conference {ConferenceId} ends: {Reason}")]
    public static partial void WebRtcEnded(ILogger logger, string conferenceId, string legId, string reason);

    [LoggerMessage(EventId = 6051, Level = LogLevel.Debug, Message = "ICE-TCP connection from {Remote} closed: no check for a live leg")]
    public static partial void IceTcpRefused(ILogger logger, System.Net.IPEndPoint remote);

    [LoggerMessage(EventId = 6052, Level = LogLevel.Information, Message = "ICE-TCP candidate listening on {LocalEndPoint}")]
    public static partial void IceTcpListening(ILogger logger, System.Net.IPEndPoint localEndPoint);

    [LoggerMessage(EventId = 6053, Level = LogLevel.Error, Message = "ICE-TCP port {Port} could not be opened ({Error}); answers carry no TCP candidate")]
    public static partial void IceTcpUnavailable(ILogger logger, int port, string error);
}
