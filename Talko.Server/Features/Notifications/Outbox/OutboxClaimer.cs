using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;

namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>
/// Claims due outbox rows for one instance, in one short transaction: lock the due rows, fold pending rows
/// with the same coalesce key into them, and lease the survivors to the instance. The lease, not the
/// transaction, protects a row while it is being sent, so no connection is held across provider calls.
/// </summary>
public abstract class OutboxClaimer
{
    /// <summary>Leased rows to send now, detached from <paramref name="db"/>.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> ClaimAsync(TalkoDbContext db, string owner, DateTime now, int batchSize, TimeSpan lease, CancellationToken cancellationToken)
    {
        // PostgreSQL runs with a retrying execution strategy, which requires transactions to run inside it.
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var due = await LockDueAsync(db, now, batchSize, token);
            if (due.Count == 0)
            {
                await transaction.CommitAsync(token);
                return (IReadOnlyList<OutboxMessage>)[];
            }

            var keys = due.Where(m => m.CoalesceKey is not null).Select(m => m.CoalesceKey!).Distinct().ToArray();
            var mates = keys.Length == 0 ? [] : await LockCoalescableAsync(db, keys, due.Select(m => m.Id).ToArray(), now, token);
            var leaders = Fold(due, mates, now);
            foreach (var leader in leaders)
            {
                leader.LeaseOwner = owner;
                leader.LeaseUntil = now + lease;
                leader.Attempts++;
            }

            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            db.ChangeTracker.Clear();
            return leaders;
        }, cancellationToken);
    }

    /// <summary>Pending rows due by <paramref name="now"/> and not leased, oldest first, locked against other claimers.</summary>
    protected abstract Task<List<OutboxMessage>> LockDueAsync(TalkoDbContext db, DateTime now, int batchSize, CancellationToken cancellationToken);

    /// <summary>Pending, unleased rows with one of <paramref name="keys"/> (due or not) other than <paramref name="exclude"/>, locked.</summary>
    protected abstract Task<List<OutboxMessage>> LockCoalescableAsync(TalkoDbContext db, string[] keys, Guid[] exclude, DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// One leader per coalesce key: the oldest due row. It takes the newest row's message (the latest text
    /// and badge) and the sum of the counts; the others become Coalesced.
    /// </summary>
    internal static List<OutboxMessage> Fold(List<OutboxMessage> due, List<OutboxMessage> mates, DateTime now)
    {
        var leaders = new List<OutboxMessage>();
        foreach (var group in due.Concat(mates).GroupBy(m => m.CoalesceKey ?? m.Id.ToString()))
        {
            var rows = group.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToList();
            var leader = rows.First(due.Contains);
            var newest = rows[^1];
            foreach (var mate in rows.Where(m => m != leader))
            {
                leader.Count += mate.Count;
                mate.State = OutboxState.Coalesced;
                mate.CoalescedInto = leader.Id;
                mate.CompletedAt = now;
            }

            leader.Payload = newest.Payload;
            leaders.Add(leader);
        }

        return leaders;
    }
}

/// <summary>Any number of instances on one PostgreSQL: FOR UPDATE SKIP LOCKED gives each row to one claimer.</summary>
public sealed class PostgresOutboxClaimer : OutboxClaimer
{
    protected override Task<List<OutboxMessage>> LockDueAsync(TalkoDbContext db, DateTime now, int batchSize, CancellationToken cancellationToken) =>
        db.Set<OutboxMessage>().FromSql($"""
            SELECT * FROM notification_outbox
            WHERE "State" = 'Pending' AND "NextAttemptAt" <= {now} AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {now})
            ORDER BY "NextAttemptAt"
            LIMIT {batchSize}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);

    protected override Task<List<OutboxMessage>> LockCoalescableAsync(TalkoDbContext db, string[] keys, Guid[] exclude, DateTime now, CancellationToken cancellationToken) =>
        db.Set<OutboxMessage>().FromSql($"""
            SELECT * FROM notification_outbox
            WHERE "CoalesceKey" = ANY({keys}) AND "State" = 'Pending' AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {now})
              AND NOT ("Id" = ANY({exclude}))
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
}

/// <summary>The embedded mode: one instance, and SQLite serialises writers, so a plain transaction is enough.</summary>
public sealed class SqliteOutboxClaimer : OutboxClaimer
{
    protected override Task<List<OutboxMessage>> LockDueAsync(TalkoDbContext db, DateTime now, int batchSize, CancellationToken cancellationToken) =>
        db.Set<OutboxMessage>()
            .Where(m => m.State == OutboxState.Pending && m.NextAttemptAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now))
            .OrderBy(m => m.NextAttemptAt)
            .Take(batchSize)
            .ToListAsync(cancellationToken);

    protected override Task<List<OutboxMessage>> LockCoalescableAsync(TalkoDbContext db, string[] keys, Guid[] exclude, DateTime now, CancellationToken cancellationToken) =>
        db.Set<OutboxMessage>()
            .Where(m => m.CoalesceKey != null && keys.Contains(m.CoalesceKey) && m.State == OutboxState.Pending
                && (m.LeaseUntil == null || m.LeaseUntil < now) && !exclude.Contains(m.Id))
            .ToListAsync(cancellationToken);
}
