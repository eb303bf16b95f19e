using Microsoft.Extensions.Logging;

namespace Talko.Core.Sip.Conferencing;

internal static partial class ConferenceLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Leg {LegId} joined conference {ConferenceId} ({Codec})")]
    public static partial void Joined(ILogger logger, Talko.Core.Calls.LegId legId, string conferenceId, Media.AudioCodec codec);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Leg {LegId} left conference {ConferenceId}: {Reason}")]
    public static partial void Left(ILogger logger, Talko.Core.Calls.LegId legId, string conferenceId, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Media engine refused a leg for conference {ConferenceId}")]
    public static partial void MediaFailed(ILogger logger, Exception exception, string conferenceId);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "INVITE to conference {ConferenceId} rejected with {StatusCode}")]
    public static partial void Rejected(ILogger logger, string conferenceId, int statusCode);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "INVITE to conference {ConferenceId} redirected to its owner {Owner}")]
    public static partial void Redirected(ILogger logger, string conferenceId, string owner);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Information, Message = "Referring leg {LegId} of conference {ConferenceId} to {Target}")]
    public static partial void Referring(ILogger logger, Talko.Core.Calls.LegId legId, string conferenceId, string target);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, Message = "Transfer of leg {LegId} of conference {ConferenceId}: {Outcome} (REFER {ReferStatus}, reported {ReportedStatus})")]
    public static partial void Referred(ILogger logger, Talko.Core.Calls.LegId legId, string conferenceId, ConferenceTransferOutcome outcome, int referStatus, int? reportedStatus);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Debug, Message = "Transfer of leg {LegId} reported {Status} (subscription terminated: {Terminated})")]
    public static partial void TransferProgress(ILogger logger, Talko.Core.Calls.LegId legId, int? status, bool terminated);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Information, Message = "DTLS-SRTP offer for conference {ConferenceId} refused with 488 ({Code}): {Reason}")]
    public static partial void DtlsSrtpOfferRefused(ILogger logger, string conferenceId, string code, string reason);
}
