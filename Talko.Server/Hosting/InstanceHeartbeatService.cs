using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Talko.Core.Instances;
using Talko.Core.Logging;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting;

/// <summary>
/// Keeps this instance's registry entry alive, republishes it at once when draining starts, and
/// removes it on a clean stop. SIGTERM starts draining so that readiness turns 503 straight away. It also holds the
/// instance's liveness subscription, which vanishes with the process (<see cref="InstanceLiveness"/>).
/// </summary>
internal sealed partial class InstanceHeartbeatService(
    InstanceRegistry registry,
    InstanceLiveness liveness,
    InstanceLifecycle lifecycle,
    InstanceLoadCounters load,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<InstanceRegistryOptions> registryOptions,
    InstanceAddresses addresses,
    IOptions<TalkoOptions> talko,
    TimeProvider time,
    ILogger<InstanceHeartbeatService> logger) : BackgroundService
{
    private readonly LogThrottle failures = new(talko.Value.RepeatedFailureLogInterval, time);
    private IAsyncDisposable? alive;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lifetime.ApplicationStopping.Register(() => lifecycle.BeginDrain());
        lifecycle.DrainStarted += () => _ = BeatAsync();
        // Addresses are known only once Kestrel and the SIP engine have bound their ports.
        lifetime.ApplicationStarted.Register(() => LogRegistered(logger, lifecycle.InstanceId, HttpAddress(), addresses.Sip));

        using var timer = new PeriodicTimer(registryOptions.Value.HeartbeatInterval, time);
        do
        {
            await BeatAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await registry.RemoveAsync(lifecycle.InstanceId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception exception)
        {
            // The entry expires by itself; a failed goodbye only delays that.
            LogHeartbeatFailed(logger, 0, exception);
        }

        if (alive is not null)
        {
            await alive.DisposeAsync();
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            // Before the entry says so; Redis restores the subscription by itself after an outage.
            alive ??= await liveness.SubscribeAsync();
            await registry.PublishAsync(new InstanceDescriptor(
                lifecycle.InstanceId,
                HttpAddress(),
                addresses.Sip,
                lifecycle.State,
                load.Snapshot,
                lifecycle.StartedAt,
                time.GetUtcNow(),
                SubscribesLiveness: alive is not null));
        }
        catch (Exception exception)
        {
            // Redis may be down for a moment; the next beat tries again and readiness reports the outage.
            if (failures.ShouldWrite(out var heldBack))
            {
                LogHeartbeatFailed(logger, heldBack, exception);
            }
        }
    }

    private string HttpAddress() =>
        addresses.Http
        ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
        ?? string.Empty;

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {InstanceId} registered (HTTP {HttpAddress}, SIP {SipAddress})")]
    private static partial void LogRegistered(ILogger logger, string instanceId, string httpAddress, string sipAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance heartbeat failed ({HeldBack} more since the last line)")]
    private static partial void LogHeartbeatFailed(ILogger logger, long heldBack, Exception exception);
}
