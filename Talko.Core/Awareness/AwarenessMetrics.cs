using System.Diagnostics.Metrics;
using Talko.Core.Diagnostics;

namespace Talko.Core.Awareness;

/// <summary>Awareness counters (meter Talko.Awareness): writes to the shared store and what expired without a goodbye.</summary>
public static class AwarenessMetrics
{
    private static readonly Meter Meter = new(TalkoTelemetry.AwarenessMeter);

    private static readonly Counter<long> Updates = Meter.CreateCounter<long>(
        "talko.awareness.updates", "{update}", "Awareness changes written to the store (connect, presence, activity, status).");

    private static readonly Counter<long> Expiries = Meter.CreateCounter<long>(
        "talko.awareness.expiries", "{expiry}",
        "Awareness that expired without a goodbye, by how: silent (connections not heard within DeviceTimeout), lease (users changed by leases reaped from the store), instance (users of a dead instance).");

    public static void Updated() => Updates.Add(1);

    /// <param name="how">silent, lease or instance.</param>
    /// <param name="count">How many expired.</param>
    public static void Expired(string how, int count)
    {
        if (count > 0)
        {
            Expiries.Add(count, new KeyValuePair<string, object?>("talko.awareness.expiry", how));
        }
    }
}
