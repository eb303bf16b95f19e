namespace Talko.Core.Instances;

public enum InstanceState
{
    /// <summary>Takes new work: HTTP requests, realtime connections, calls.</summary>
    Serving,

    /// <summary>Finishing what it has and taking nothing new, on the way to shutting down.</summary>
    Draining,
}
