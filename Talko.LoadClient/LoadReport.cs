using System.Globalization;
using System.Text;

namespace Talko.LoadClient;

/// <summary>What a load run saw. Times are UTC; gaps are from "reconnect" received to "ready" on the new connection plus the resync.</summary>
public sealed record LoadReport
{
    public int Users { get; init; }
    public int Conversations { get; init; }
    public TimeSpan Duration { get; init; }
    public int HttpRequests { get; init; }
    public int HttpRequestsFailed { get; init; }
    /// <summary>Why requests failed (request and status or exception), with counts.</summary>
    public IReadOnlyDictionary<string, int> HttpFailures { get; init; } = new Dictionary<string, int>();
    public int ItemsPosted { get; init; }
    public int PostsAbandoned { get; init; }
    /// <summary>(member, item) pairs: a posted item a member of its conversation never got, live or by sync.</summary>
    public int ItemsLost { get; init; }
    /// <summary>(member, item) pairs that came by sync only (the live event was missed, typically while reconnecting).</summary>
    public int ItemsMissedLive { get; init; }
    /// <summary>Items stored more than once for one idempotency key.</summary>
    public int Duplicates { get; init; }
    public int ReconnectsAsked { get; init; }
    public int ClientsBack { get; init; }
    public int UnexpectedDisconnects { get; init; }
    public DateTimeOffset? FirstReconnectAskedAt { get; init; }
    public DateTimeOffset? LastReconnectAskedAt { get; init; }
    public DateTimeOffset? LastClientBackAt { get; init; }
    public TimeSpan ReconnectSpread => LastReconnectAskedAt - FirstReconnectAskedAt ?? TimeSpan.Zero;
    public TimeSpan MedianReconnectGap { get; init; }
    public TimeSpan WorstReconnectGap { get; init; }
    /// <summary>Reconnect requests per second, the busiest one-second bucket: what the other instances took at worst.</summary>
    public int PeakReconnectsPerSecond { get; init; }

    public string ToText()
    {
        var text = new StringBuilder();
        void Line(string name, object value) => text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-34} {value}");
        text.AppendLine("load client report");
        Line("users / conversations", $"{Users} / {Conversations}");
        Line("duration", $"{Duration.TotalSeconds:F1} s");
        Line("HTTP requests (failed)", $"{HttpRequests} ({HttpRequestsFailed})");
        foreach (var (why, count) in HttpFailures)
        {
            Line("  failed: " + why, count);
        }

        Line("items posted (abandoned posts)", $"{ItemsPosted} ({PostsAbandoned})");
        Line("items lost", ItemsLost);
        Line("items missed live, got by sync", ItemsMissedLive);
        Line("duplicates", Duplicates);
        Line("reconnects asked / clients back", $"{ReconnectsAsked} / {ClientsBack}");
        Line("unexpected disconnects", UnexpectedDisconnects);
        Line("reconnect spread (first to last)", $"{ReconnectSpread.TotalSeconds:F1} s");
        Line("peak reconnects per second", PeakReconnectsPerSecond);
        Line("reconnect gap median / worst", $"{MedianReconnectGap.TotalMilliseconds:F0} ms / {WorstReconnectGap.TotalMilliseconds:F0} ms");
        return text.ToString();
    }
}
