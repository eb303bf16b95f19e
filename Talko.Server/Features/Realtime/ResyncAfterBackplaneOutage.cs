using Talko.Core.Eventing;
using Talko.Core.Instances;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// When this instance's backplane link comes back after an outage, every connection of every instance gets
/// <see cref="RealtimeConnections.ResyncEvent"/> (through the backplane): events published meanwhile may never have
/// reached this instance's clients, nor events committed here the others' (their links may have come back first). A client
/// that syncs on it loses latency, never an item (docs/realtime.md, step 8). The link's return is not yet the
/// subscriptions' return: the event waits (up to <see cref="SubscriptionWait"/>) until Redis counts this instance's own
/// subscription again, so a client's sync does not run before live events flow again.
/// </summary>
public sealed partial class ResyncAfterBackplaneOutage(
    IBackplaneHealth backplane, RealtimeConnections connections, InstanceLiveness liveness, ILogger<ResyncAfterBackplaneOutage> logger) : IHostedService
{
    private static readonly TimeSpan SubscriptionWait = TimeSpan.FromSeconds(5);

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
        var request = new RealtimeResync("backplane-restored");
        try
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < SubscriptionWait && !await SubscribedAsync())
            {
                await Task.Delay(100);
            }

            // Every instance's clients, not only this one's: while this link was down, what was committed here was not
            // published to anyone, and another instance may have resynced its clients already.
            await connections.AskEveryoneToResyncAsync(request, CancellationToken.None);
            LogToldEveryone(logger, connections.Ids.Count);
        }
        catch (Exception exception)
        {
            // The backplane broke again: at least this instance's clients hear it directly.
            LogFailed(logger, exception);
            try
            {
                LogTold(logger, await connections.AskAllToResyncAsync(request, CancellationToken.None));
            }
            catch (Exception local)
            {
                LogFailed(logger, local);
            }
        }
    }

    private async Task<bool> SubscribedAsync()
    {
        try
        {
            return await liveness.IsSubscribedAsync();
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException or TimeoutException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked every instance's realtime connections (here {Connections}) to resync after the backplane outage")]
    private static partial void LogToldEveryone(ILogger logger, int connections);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked {Connections} realtime connections to resync after the backplane outage")]
    private static partial void LogTold(ILogger logger, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask realtime connections to resync after the backplane outage")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
