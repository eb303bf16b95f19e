using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Codecs.Opus;

internal static partial class OpusLog
{
    [LoggerMessage(EventId = 6300, Level = LogLevel.Information, Message = "Opus: native {Version} ({Library}), complexity {Complexity}, {Bitrate} b/s")]
    public static partial void NativeChosen(ILogger logger, string version, string library, int complexity, int bitrate);

    [LoggerMessage(EventId = 6301, Level = LogLevel.Warning, Message = "Opus: native {Library} could not be loaded ({Reason}); using Concentus (managed, slower). Install the Debian package {Package} for native Opus")]
    public static partial void FellBackToManaged(ILogger logger, string library, string reason, string package);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Information, Message = "Opus: Concentus (managed) as configured, complexity {Complexity}, {Bitrate} b/s")]
    public static partial void ManagedChosen(ILogger logger, int complexity, int bitrate);
}
