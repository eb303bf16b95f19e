using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Talko.Server.Hosting;

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
            builder.Services.AddDbContext<TalkoDbContext, PostgresTalkoDbContext>((services, options) =>
                Strict(options.UseNpgsql(mode.PostgresConnectionString, npgsql => npgsql.EnableRetryOnFailure(3))
                    .AddInterceptors(services.GetServices<IInterceptor>()), strict));
        }
        else
        {
            builder.Services.AddDbContext<TalkoDbContext, SqliteTalkoDbContext>((services, options) =>
                Strict(options.UseSqlite($"Data Source={services.GetRequiredService<DataDirectory>().Combine("talko.db")}")
                    .AddInterceptors(services.GetServices<IInterceptor>()), strict));
        }

        return builder;
    }

    private static DbContextOptionsBuilder Strict(DbContextOptionsBuilder options, bool strict) =>
        strict ? options.ConfigureWarnings(warnings => warnings.Throw(CoreEventId.RowLimitingOperationWithoutOrderByWarning)) : options;
}
