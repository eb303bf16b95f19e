using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Talko.Server.Data;

/// <summary>
/// Applies pending migrations. Instances that start together against one PostgreSQL database
/// serialise on an advisory lock, and each re-reads the history once it holds the lock, so every
/// migration is applied exactly once (EF Core's own lock did not prevent "relation already exists"
/// when two processes migrated a fresh database at the same moment).
/// </summary>
public static partial class DatabaseMigrator
{
    /// <summary>Any fixed 64-bit number, the same in every instance: the lock's name.</summary>
    private const long MigrationLockKey = 0x54616c6b6f4d6967; // "TalkoMig"

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<TalkoDbContext>>();
        await using var migrationLock = db.Database.IsNpgsql() ? await AdvisoryLock.AcquireAsync(db.Database.GetConnectionString()!, cancellationToken) : null;

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        LogApplying(logger, pending.Count, string.Join(", ", pending));
        await db.Database.MigrateAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} database migration(s): {Migrations}")]
    private static partial void LogApplying(ILogger logger, int count, string migrations);

    /// <summary>A session-level PostgreSQL advisory lock on its own connection, released on dispose.</summary>
    private sealed class AdvisoryLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public static async Task<AdvisoryLock> AcquireAsync(string connectionString, CancellationToken cancellationToken)
        {
            // Its own unpooled connection: the lock must not outlive this migration in a pooled session.
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new AdvisoryLock(connection);
        }

        public async ValueTask DisposeAsync()
        {
            await using (connection)
            {
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
    }
}
