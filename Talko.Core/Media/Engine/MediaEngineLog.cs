using System.Net;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Engine;

internal static partial class MediaEngineLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Leg {LegId} joined conference {ConferenceId} on {LocalRtp}, remote {RemoteRtp}, {Codec}")]
    public static partial void LegJoined(ILogger logger, string conferenceId, string legId, IPEndPoint localRtp, IPEndPoint remoteRtp, AudioCodec codec);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Leg {LegId} left conference {ConferenceId}: {Received} packets in, {Sent} out, {Dropped} dropped")]
    public static partial void LegLeft(ILogger logger, string conferenceId, string legId, long received, long sent, long dropped);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Conference {ConferenceId} opened")]
    public static partial void ConferenceOpened(ILogger logger, string conferenceId);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Conference {ConferenceId} closed after {Ticks} ticks ({LateTicks} late)")]
    public static partial void ConferenceClosed(ILogger logger, string conferenceId, long ticks, long lateTicks);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Leg {LegId} latched RTP to {Source}")]
    public static partial void SourceLatched(ILogger logger, string legId, EndPoint source);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "Leg {LegId} dropped an RTP packet: {Reason}")]
    public static partial void PacketDropped(ILogger logger, string legId, Talko.Core.Media.Rtp.RtpParseResult reason);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Leg {LegId} receive loop error")]
    public static partial void ReceiveFailed(ILogger logger, string legId, Exception exception);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Debug, Message = "Leg {LegId} send failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string legId, string error);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Error, Message = "A conference media observer failed")]
    public static partial void ObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Error, Message = "Recording of conference {ConferenceId} could not start or finish")]
    public static partial void RecordingFailed(ILogger logger, string conferenceId, Exception exception);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Leg {LegId} of conference {ConferenceId} now carries {Codec} (payload type {PayloadType}), as the answer chose")]
    public static partial void LegFormatChanged(ILogger logger, string conferenceId, string legId, AudioCodec codec, byte payloadType);
}
