using Microsoft.Extensions.Options;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>
/// Runs <see cref="OutboxDispatcher"/> rounds on every instance: back to back while full batches come,
/// otherwise every poll interval; a failed round (database down) waits and tries again, never stops.
/// </summary>
public sealed class OutboxDispatcherService(
    OutboxDispatcher dispatcher,
    Providers.NotificationProviders providers,
    TimeProvider time,
    IOptions<NotificationsOptions> options,
    ILogger<OutboxDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var channels = string.Join(", ", Enum.GetValues<Talko.Core.Notifications.PushChannel>()
            .Select(c => $"{c}={(providers.IsConfigured(c) ? "provider" : "log")}"));
        NotificationsLog.DispatcherStarted(logger, dispatcher.Owner, channels);
        var nextCleanup = time.GetUtcNow();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                var claimed = await dispatcher.DispatchOnceAsync(stoppingToken);
                if (time.GetUtcNow() >= nextCleanup)
                {
                    await dispatcher.CleanUpAsync(stoppingToken);
                    nextCleanup = time.GetUtcNow() + settings.CleanupInterval;
                }

                failures = 0;
                if (claimed >= settings.BatchSize)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Back off on repeated failures, up to a minute, so a database outage is not hammered.
                failures++;
                wait = TimeSpan.FromMilliseconds(Math.Min(settings.PollInterval.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 10)), 60_000));
                // A database or Redis outage is not a bug: a Warning with its cause (the back-off bounds how often).
                if (DependencyFailures.Cause(exception) is { } cause)
                {
                    NotificationsLog.RoundPostponed(logger, cause.GetType().Name, cause.Message, wait);
                }
                else
                {
                    NotificationsLog.RoundFailed(logger, exception, wait);
                }
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
