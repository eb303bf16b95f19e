using Talko.Core.Instances;

namespace Talko.Server.Hosting;

public static class InstanceExtensions
{
    public static IHostApplicationBuilder AddTalkoInstance(this IHostApplicationBuilder builder, InstanceIdentity instance)
    {
        builder.Services.AddSingleton(instance);
        builder.Services.AddSingleton(services => new InstanceLifecycle(instance.Id, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<InstanceLoadCounters>();
        builder.Services.AddOptions<InstanceRegistryOptions>().BindConfiguration("Talko:Instance");
        builder.Services.AddOptions<InstanceAddressOptions>().BindConfiguration("Talko:Instance");
        builder.Services.AddSingleton<InstanceAddresses>();
        builder.Services.AddSingleton<InstanceRegistry>();
        builder.Services.AddSingleton<InstanceLiveness>();
        builder.Services.AddHostedService<InstanceHeartbeatService>();
        return builder;
    }
}

/// <summary>The addresses this instance advertises; by default the first address Kestrel listens on.</summary>
public sealed class InstanceAddressOptions
{
    /// <summary>HTTP address other instances and tools use to reach this one (default: the first address Kestrel listens on).</summary>
    public string? HttpAddress { get; set; }

    /// <summary>SIP address (host:port) advertised for redirects to the owner of a call.</summary>
    public string? SipAddress { get; set; }
}

/// <summary>Live work counted by the features that carry it, reported with each heartbeat.</summary>
public sealed class InstanceLoadCounters
{
    private int realtimeConnections;
    private int liveCalls;

    public InstanceLoad Snapshot => new(Volatile.Read(ref realtimeConnections), Volatile.Read(ref liveCalls));

    public void RealtimeConnectionOpened() => Interlocked.Increment(ref realtimeConnections);

    public void RealtimeConnectionClosed() => Interlocked.Decrement(ref realtimeConnections);

    public void CallStarted() => Interlocked.Increment(ref liveCalls);

    public void CallEnded() => Interlocked.Decrement(ref liveCalls);
}
