using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Talko.Server.Kernel;

namespace Talko.Server.Data;

public static class PersistenceExtensions
{
    /// <summary>
    /// PostgreSQL when ConnectionStrings:Postgres is set, otherwise a SQLite file in the data directory.
    /// Features add EF Core interceptors by registering singleton <see cref="IInterceptor"/>s.
    /// </summary>
    public static IHostApplicationBuilder AddTalkoPersistence(this IHostApplicationBuilder builder, TalkoMode mode)
    {
        // Outside production a query that limits rows without an order fails instead of logging a warning: its
        // result is arbitrary, and tests and development should find it, not a log reader.
        var strict = !builder.Environment.IsProduction();
        if (mode.UsesPostgres)
        {
            // Retries bridge a PostgreSQL restart (about a second) without the client noticing; short delays keep a
            // request that cannot be served within a few seconds, so it answers 503 + Retry-After instead of hanging.
            builder.Services.AddDbContext<TalkoDbContext, PostgresTalkoDbContext>((services, options) =>
                Strict(QuietFailures(options.UseNpgsql(mode.PostgresConnectionString, npgsql => npgsql.EnableRetryOnFailure(3, MaxRetryDelay, null)))
                    .AddInterceptors(services.GetServices<IInterceptor>()), strict));
        }
        else
        {
            builder.Services.AddDbContext<TalkoDbContext, SqliteTalkoDbContext>((services, options) =>
                Strict(QuietFailures(options.UseSqlite($"Data Source={services.GetRequiredService<DataDirectory>().Combine("talko.db")}"))
                    .AddInterceptors(services.GetServices<IInterceptor>()), strict));
        }

        return builder;
    }

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// EF Core logs every failed connection, command, transaction, query and save as an Error with a stack trace, and the same
    /// exception then reaches whoever handles it: a request (503 for a dependency away, logged once per interval; any
    /// other exception as an unhandled error) or a background service (its own log). While PostgreSQL is away that was
    /// hundreds of lines a second without their cause; these events are Debug, the handler's line is the one that counts.
    /// </summary>
    private static DbContextOptionsBuilder QuietFailures(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(warnings => warnings.Log(
            (RelationalEventId.ConnectionError, LogLevel.Debug),
            (RelationalEventId.CommandError, LogLevel.Debug),
            (RelationalEventId.TransactionError, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug)));

    private static DbContextOptionsBuilder Strict(DbContextOptionsBuilder options, bool strict) =>
        strict ? options.ConfigureWarnings(warnings => warnings.Throw(CoreEventId.RowLimitingOperationWithoutOrderByWarning)) : options;
}
