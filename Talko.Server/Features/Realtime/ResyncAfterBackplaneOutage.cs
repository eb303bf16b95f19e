using Talko.Core.Eventing;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// When this instance's backplane link comes back after an outage, every connection it holds gets
/// <see cref="RealtimeConnections.ResyncEvent"/>: events published meanwhile may never have reached it, and a client
/// that syncs on it loses latency, never an item (docs/realtime.md, step 8).
/// </summary>
public sealed partial class ResyncAfterBackplaneOutage(IBackplaneHealth backplane, RealtimeConnections connections, ILogger<ResyncAfterBackplaneOutage> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        backplane.Restored += OnRestored;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        backplane.Restored -= OnRestored;
        return Task.CompletedTask;
    }

    private void OnRestored() => _ = TellEveryoneAsync();

    private async Task TellEveryoneAsync()
    {
        try
        {
            var told = await connections.AskAllToResyncAsync(new RealtimeResync("backplane-restored"), CancellationToken.None);
            LogTold(logger, told);
        }
        catch (Exception exception)
        {
            LogFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked {Connections} realtime connections to resync after the backplane outage")]
    private static partial void LogTold(ILogger logger, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask realtime connections to resync after the backplane outage")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
