using Microsoft.Extensions.Options;
using Talko.Core.Awareness;

namespace Talko.Server.Features.Awareness;

/// <summary>Runs this instance's awareness heartbeat (lease renewal) and reaper, each on its own timer.</summary>
internal sealed partial class AwarenessBackgroundService(
    AwarenessTracker tracker,
    AwarenessReaper reaper,
    IOptions<AwarenessOptions> options,
    TimeProvider time,
    ILogger<AwarenessBackgroundService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            LoopAsync(options.Value.RenewInterval, tracker.RenewAsync, stoppingToken),
            LoopAsync(options.Value.ReapInterval, reaper.ReapAsync, stoppingToken));

    private async Task LoopAsync(TimeSpan interval, Func<Task> work, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await work();
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Redis may be away for a moment; leases and due times wait for the next tick.
                    LogPassFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An awareness renewal or reaping pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
