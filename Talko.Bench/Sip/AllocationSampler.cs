using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Talko.Bench.Sip;

/// <summary>
/// The runtime's allocation sampling in process: about every 100 KB allocated, the GC names the type of the object that
/// crossed the mark (GCAllocationTick). Summed by type, the samples say where the bytes go without an external profiler.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> bytesByType = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        // GCAllocationTick_V2 and later: the amount since the last tick and the type that crossed the mark.
        if (data.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || data.Payload is null)
        {
            return;
        }

        var names = data.PayloadNames!;
        var type = names.IndexOf("TypeName") is var t and >= 0 ? data.Payload[t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(data.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 0;
        bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    /// <summary>The types that took the most sampled bytes, with their share.</summary>
    public IEnumerable<string> Top(int count)
    {
        var total = Math.Max(1, bytesByType.Values.Sum());
        return bytesByType.OrderByDescending(p => p.Value).Take(count).Select(p => $"{100.0 * p.Value / total,5:F1}%  {p.Key}");
    }
}
