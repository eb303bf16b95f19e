using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Notifications;
using Talko.Server.Data;
using Talko.Server.Features.Notifications.Providers;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>
/// One dispatch round: claim due rows, send each through its provider, record the outcome. Delivery is
/// at least once: a crash between a provider's acceptance and the recorded outcome leaves the row to be
/// sent again after its lease; the stable event id (apns-id, webhook id) lets receivers drop the repeat.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxClaimer claimer,
    NotificationProviders providers,
    IPushAddressRemover addressRemover,
    InstanceIdentity instance,
    TimeProvider time,
    IOptions<NotificationsOptions> options,
    ILogger<OutboxDispatcher> logger,
    IDeliveryMetrics? metrics = null)
{
    private NotificationsOptions Options => options.Value;

    public string Owner => instance.Id;

    /// <summary>Runs one round; returns how many rows it claimed (a full batch means more may be waiting).</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<OutboxMessage> claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            claimed = await claimer.ClaimAsync(db, Owner, time.GetUtcNow().UtcDateTime, Math.Max(1, Options.BatchSize), Options.Lease, cancellationToken);
        }

        if (claimed.Count == 0)
        {
            return 0;
        }

        await Parallel.ForEachAsync(
            claimed,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.MaxConcurrency), CancellationToken = cancellationToken },
            async (row, token) => await CompleteAsync(row, await SendAsync(row, token), token));
        return claimed.Count;
    }

    /// <summary>Deletes finished rows past their retention.</summary>
    public async Task<int> CleanUpAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var finishedBefore = now - Options.CompletedRetention;
        var deadBefore = now - Options.DeadLetterRetention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var deleted = await db.Set<OutboxMessage>()
            .Where(m => (m.State == OutboxState.Delivered || m.State == OutboxState.Coalesced || m.State == OutboxState.AddressGone) && m.CompletedAt < finishedBefore)
            .ExecuteDeleteAsync(cancellationToken);
        deleted += await db.Set<OutboxMessage>()
            .Where(m => m.State == OutboxState.DeadLettered && m.CompletedAt < deadBefore)
            .ExecuteDeleteAsync(cancellationToken);
        NotificationsLog.CleanedUp(logger, deleted);
        return deleted;
    }

    private async Task<DeliveryOutcome> SendAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        PushMessage message;
        try
        {
            message = NotificationJson.Deserialize(row.Payload).Coalesced(row.Count);
        }
        catch (JsonException exception)
        {
            NotificationsLog.BadPayload(logger, exception, row.Id);
            return DeliveryOutcome.Reject($"unreadable payload: {exception.Message}");
        }

        if (message.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            return DeliveryOutcome.Reject("expired before it could be delivered");
        }

        var delivery = new PushDelivery(row.Id, row.Channel, row.Address, message, new DateTimeOffset(row.CreatedAt, TimeSpan.Zero));
        try
        {
            return await providers.For(row.Channel).SendAsync(delivery, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A provider bug must not stop the round or lose the row: it is retried like a transient failure.
            NotificationsLog.ProviderThrew(logger, exception, row.Channel, row.Id);
            return DeliveryOutcome.Retry($"provider error: {exception.GetType().Name}: {exception.Message}");
        }
    }

    private async Task CompleteAsync(OutboxMessage row, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var reason = Truncate(outcome.Reason);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        // Only the lease holder records an outcome; a row whose lease ran out may already be someone else's.
        var mine = db.Set<OutboxMessage>().Where(m => m.Id == row.Id && m.LeaseOwner == Owner && m.State == OutboxState.Pending);
        int updated;
        switch (outcome.Status)
        {
            case DeliveryStatus.Delivered:
                updated = await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.State, OutboxState.Delivered)
                    .SetProperty(m => m.CompletedAt, now)
                    .SetProperty(m => m.LeaseUntil, (DateTime?)null)
                    .SetProperty(m => m.ProviderId, outcome.ProviderId)
                    .SetProperty(m => m.LastError, (string?)null), cancellationToken);
                metrics?.DeliveryFinished(row.Channel, "delivered");
                break;

            case DeliveryStatus.RetryLater when row.Attempts < Options.MaxAttempts:
                var next = now + Options.RetrySchedule.DelayAfter(row.Attempts, outcome.RetryAfter, Random.Shared.NextDouble());
                updated = await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.NextAttemptAt, next)
                    .SetProperty(m => m.LeaseUntil, (DateTime?)null)
                    .SetProperty(m => m.LastError, reason), cancellationToken);
                NotificationsLog.WillRetry(logger, row.Id, row.Channel, row.Attempts, reason, next);
                metrics?.DeliveryFinished(row.Channel, "retry");
                break;

            case DeliveryStatus.AddressGone:
                updated = await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.State, OutboxState.AddressGone)
                    .SetProperty(m => m.CompletedAt, now)
                    .SetProperty(m => m.LeaseUntil, (DateTime?)null)
                    .SetProperty(m => m.LastError, reason), cancellationToken);
                // Nothing else waiting for this address can succeed either.
                await db.Set<OutboxMessage>()
                    .Where(m => m.Channel == row.Channel && m.Address == row.Address && m.State == OutboxState.Pending && (m.LeaseUntil == null || m.LeaseUntil < now))
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(m => m.State, OutboxState.AddressGone)
                        .SetProperty(m => m.CompletedAt, now)
                        .SetProperty(m => m.LastError, reason), cancellationToken);
                await addressRemover.RemoveAsync(row.Channel, row.Address, row.DeviceId, cancellationToken);
                metrics?.DeliveryFinished(row.Channel, "address_gone");
                break;

            default:
                // Rejected for good, or out of attempts.
                updated = await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.State, OutboxState.DeadLettered)
                    .SetProperty(m => m.CompletedAt, now)
                    .SetProperty(m => m.LeaseUntil, (DateTime?)null)
                    .SetProperty(m => m.LastError, reason), cancellationToken);
                NotificationsLog.DeadLettered(logger, row.Id, row.Channel, row.Attempts, reason);
                metrics?.DeliveryFinished(row.Channel, "dead_lettered");
                break;
        }

        if (updated == 0)
        {
            NotificationsLog.LeaseLost(logger, row.Id);
        }
    }

    private static string? Truncate(string? reason) =>
        reason is { Length: > OutboxMessage.ErrorMaxLength } ? reason[..OutboxMessage.ErrorMaxLength] : reason;
}
