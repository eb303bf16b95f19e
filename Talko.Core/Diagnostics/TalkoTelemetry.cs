using System.Diagnostics;

namespace Talko.Core.Diagnostics;

/// <summary>
/// The names under which Talko publishes metrics and traces. Meters in Talko.Core are static (one per area, like the
/// runtime's own): an instrument nobody listens to costs a branch, and the engines need no host to carry them. The
/// host subscribes to <see cref="MeterPrefix"/>* and <see cref="ActivitySourceName"/>.
/// </summary>
public static class TalkoTelemetry
{
    public const string MeterPrefix = "Talko.";

    public const string SipMeter = "Talko.Sip";

    public const string MediaMeter = "Talko.Media";

    public const string AwarenessMeter = "Talko.Awareness";

    /// <summary>The host's meter (calls, realtime, notifications, drain): created per host through IMeterFactory.</summary>
    public const string ServerMeter = "Talko.Server";

    public const string ActivitySourceName = "Talko";

    /// <summary>Spans Talko starts itself: SIP admission, event publication. Starting one with no listener returns null.</summary>
    public static readonly ActivitySource Source = new(ActivitySourceName);
}
