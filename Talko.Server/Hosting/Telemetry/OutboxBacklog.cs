using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Server.Data;
using Talko.Server.Features.Notifications;
using Talko.Server.Features.Notifications.Outbox;

namespace Talko.Server.Hosting.Telemetry;

/// <summary>
/// Samples the outbox for the metrics (pending rows and the oldest one's creation) every
/// <see cref="TelemetryOptions.OutboxSampleInterval"/>: one indexed query per interval instead of one per scrape, and a
/// scrape never waits on the database. Every instance samples the same shared table, so dashboards take the max.
/// </summary>
public sealed class OutboxBacklog(IServiceScopeFactory scopes, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<OutboxBacklog> logger)
    : BackgroundService
{
    public sealed record Sample(int Pending, DateTimeOffset? OldestCreatedAt);

    public Sample? Latest { get; private set; }

    public TimeSpan OldestAge(DateTimeOffset now) =>
        Latest?.OldestCreatedAt is { } oldest && now > oldest ? now - oldest : TimeSpan.Zero;

    public async Task<Sample> SampleAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var pending = db.Set<OutboxMessage>().AsNoTracking().Where(m => m.State == OutboxState.Pending);
        var count = await pending.CountAsync(cancellationToken);
        DateTime? oldest = count == 0 ? null : await pending.MinAsync(m => (DateTime?)m.CreatedAt, cancellationToken);
        var sample = new Sample(count, oldest is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null);
        Latest = sample;
        return sample;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // A database outage shows in health and in the outbox's own logs; Debug here avoids saying it twice.
                NotificationsLog.BacklogSampleFailed(logger, exception);
            }

            try
            {
                await Task.Delay(options.Value.OutboxSampleInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
