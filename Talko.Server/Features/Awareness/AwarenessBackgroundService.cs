using Microsoft.Extensions.Options;
using Talko.Core.Awareness;
using Talko.Core.Logging;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Awareness;

/// <summary>
/// Runs this instance's awareness heartbeat (lease renewal) and reaper, each on its own timer. While Redis is away
/// every pass fails: one line per <see cref="TalkoOptions.RepeatedFailureLogInterval"/> says so.
/// </summary>
internal sealed partial class AwarenessBackgroundService(
    AwarenessTracker tracker,
    AwarenessReaper reaper,
    IOptions<AwarenessOptions> options,
    IOptions<TalkoOptions> talko,
    TimeProvider time,
    ILogger<AwarenessBackgroundService> logger) : BackgroundService
{
    private readonly LogThrottle failures = new(talko.Value.RepeatedFailureLogInterval, time);

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
                    if (failures.ShouldWrite(out var heldBack))
                    {
                        LogPassFailed(logger, heldBack, exception);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An awareness renewal or reaping pass failed ({HeldBack} more since the last line)")]
    private static partial void LogPassFailed(ILogger logger, long heldBack, Exception exception);
}
