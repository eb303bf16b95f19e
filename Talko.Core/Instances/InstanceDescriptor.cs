namespace Talko.Core.Instances;

/// <summary>What an instance advertises about itself in the registry.</summary>
/// <param name="Id">Stable for the life of the process.</param>
/// <param name="HttpAddress">Where other instances and tools reach its HTTP API.</param>
/// <param name="SipAddress">Where SIP devices reach it (host:port), for redirects to a call's owner.</param>
/// <param name="State">Serving or draining.</param>
/// <param name="Load">Live work it carries, for placement decisions.</param>
/// <param name="StartedAt">When the process started.</param>
/// <param name="HeartbeatAt">When this entry was last refreshed.</param>
/// <param name="SubscribesLiveness">
/// It holds a subscription to its <see cref="Ephemeral.KeySpace.InstanceLivenessChannel"/> while it runs; false in
/// entries of versions before it did, which are then judged by their entry alone.
/// </param>
public sealed record InstanceDescriptor(
    string Id,
    string HttpAddress,
    string SipAddress,
    InstanceState State,
    InstanceLoad Load,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    bool SubscribesLiveness = false);

/// <summary>Counters an instance reports with each heartbeat.</summary>
public sealed record InstanceLoad(int RealtimeConnections, int LiveCalls)
{
    public static InstanceLoad None { get; } = new(0, 0);
}
