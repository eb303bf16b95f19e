using Microsoft.EntityFrameworkCore;

namespace Talko.Server.Data;

/// <summary>
/// Applies pending migrations. EF Core takes a database-wide migration lock (since EF Core 9), so
/// several instances starting at once against one database apply each migration exactly once.
/// </summary>
public static partial class DatabaseMigrator
{
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<TalkoDbContext>>();
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
}
