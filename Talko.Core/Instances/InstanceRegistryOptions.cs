namespace Talko.Core.Instances;

public sealed class InstanceRegistryOptions
{
    /// <summary>How often an instance refreshes its entry.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an entry outlives its last heartbeat. An instance killed without warning vanishes from
    /// the registry within this time; three missed heartbeats tolerate a pause of the process.
    /// </summary>
    public TimeSpan EntryTimeToLive { get; set; } = TimeSpan.FromSeconds(6);
}
