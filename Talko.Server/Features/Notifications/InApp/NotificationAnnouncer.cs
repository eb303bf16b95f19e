using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Talko.Core.Logging;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Notifications.InApp;

/// <summary>
/// Sends <c>notificationCreated</c> to the recipient's devices (group <c>user:{id}</c>) once the entry is
/// committed, never before: the planner stages each entry it adds to a DbContext here, and this
/// interceptor announces the staged entries that were saved when that context's transaction commits (or
/// when a SaveChanges without an explicit transaction completes). Entries of a rolled-back transaction,
/// or dropped by an execution-strategy retry (the change tracker is cleared), are never announced. A
/// failed send is logged (one line per <see cref="TalkoOptions.RepeatedFailureLogInterval"/> while the backplane
/// is away); the entry is in <c>GET /v1/notifications</c> all the same.
/// </summary>
public sealed class NotificationAnnouncer(IHubContext hub, IOptions<TalkoOptions> talko, ILogger<NotificationAnnouncer> logger)
    : IDbTransactionInterceptor, ISaveChangesInterceptor
{
    public const string EventName = "notificationCreated";

    private readonly LogThrottle failures = new(talko.Value.RepeatedFailureLogInterval);

    private readonly ConditionalWeakTable<DbContext, List<UserNotification>> pending = new();

    /// <summary>Remembers <paramref name="entry"/>, just added to <paramref name="db"/>, to announce after the commit.</summary>
    public void Stage(DbContext db, UserNotification entry)
    {
        var list = pending.GetOrCreateValue(db);
        lock (list)
        {
            list.Add(entry);
        }
    }

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await AnnounceAsync(context);
        }
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            _ = AnnounceAsync(context);
        }
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Inside an explicit transaction the commit announces; without one the save was the commit.
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null)
        {
            await AnnounceAsync(context);
        }

        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null)
        {
            _ = AnnounceAsync(context);
        }

        return result;
    }

    private void Forget(DbContext? context)
    {
        if (context is not null && pending.TryGetValue(context, out var list))
        {
            lock (list)
            {
                list.Clear();
            }
        }
    }

    private async Task AnnounceAsync(DbContext context)
    {
        if (!pending.TryGetValue(context, out var list))
        {
            return;
        }

        List<UserNotification> committed;
        lock (list)
        {
            // Saved entries are Unchanged; Added ones wait for their SaveChanges to finish (an implicit
            // transaction commits before the change tracker accepts); Detached ones were rolled back.
            committed = list.Where(e => context.Entry(e).State == EntityState.Unchanged).ToList();
            list.RemoveAll(e => context.Entry(e).State != EntityState.Added);
        }

        foreach (var entry in committed)
        {
            try
            {
                var view = new NotificationsApi.NotificationView(entry.Id, entry.Kind, entry.ConversationId, entry.ItemId, entry.ActorUserId, entry.Title, entry.Body, entry.CreatedAt, false);
                // Not the caller's token: once committed, the event goes out even if the client hung up.
                await hub.Clients.Group(RealtimeGroups.User(entry.UserId)).SendAsync(EventName, view, CancellationToken.None);
            }
            catch (Exception exception)
            {
                if (failures.ShouldWrite(out var heldBack))
                {
                    NotificationsLog.AnnounceFailed(logger, exception, entry.UserId, heldBack);
                }
            }
        }
    }
}
