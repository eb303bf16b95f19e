using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Conversations;

/// <summary>The counters a change was given: the item's sequence number (when it adds an item) and the change version.</summary>
public readonly record struct ChangeStamp(long Seq, long Version);

/// <summary>
/// Runs one change to a conversation in a transaction that first advances the conversation's counters
/// with an UPDATE. That UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite), so
/// concurrent changes from any number of instances queue behind it and numbers are handed out in commit
/// order, without gaps: a rolled-back change rolls its numbers back too (ADR 0300).
/// </summary>
internal static class ConversationTransaction
{
    /// <summary>
    /// Advances the counters of <paramref name="conversationId"/> (the sequence only when
    /// <paramref name="appendsItem"/>), runs <paramref name="change"/>, saves and commits. Returns null (and rolls
    /// back) if the conversation does not exist or <paramref name="change"/> returns null. The execution strategy retries the whole unit on a transient fault.
    /// </summary>
    public static async Task<T?> ExecuteAsync<T>(
        TalkoDbContext db, Guid conversationId, bool appendsItem, Func<ChangeStamp, Task<T?>> change, CancellationToken cancellationToken)
        where T : class
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var increment = appendsItem ? 1 : 0;
            var updated = await db.Set<Conversation>()
                .Where(c => c.Id == conversationId)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(c => c.LastSeq, c => c.LastSeq + increment)
                    .SetProperty(c => c.Version, c => c.Version + 1), cancellationToken);
            if (updated == 0)
            {
                return null;
            }

            // Inside the transaction we read our own update; nobody else can change the row until we commit.
            var stamp = await db.Set<Conversation>()
                .Where(c => c.Id == conversationId)
                .Select(c => new ChangeStamp(c.LastSeq, c.Version))
                .SingleAsync(cancellationToken);
            var result = await change(stamp);
            if (result is null)
            {
                // The change found nothing to do; rolling back takes the counters back, leaving no gap.
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
    }
}
