using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Engine;

internal static partial class MediaEngineLog
{
    [LoggerMessage(EventId = 6050, Level = LogLevel.Information, Message = "WebRTC leg {LegId} of conference {ConferenceId} ends: {Reason}")]
    public static partial void WebRtcEnded(ILogger logger, string conferenceId, string legId, string reason);
}
