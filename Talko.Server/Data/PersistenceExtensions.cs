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
        if (mode.UsesPostgres)
        {
            builder.Services.AddDbContext<TalkoDbContext, PostgresTalkoDbContext>((services, options) =>
                options.UseNpgsql(mode.PostgresConnectionString, npgsql => npgsql.EnableRetryOnFailure(3))
                    .AddInterceptors(services.GetServices<IInterceptor>()));
        }
        else
        {
            builder.Services.AddDbContext<TalkoDbContext, SqliteTalkoDbContext>((services, options) =>
                options.UseSqlite($"Data Source={services.GetRequiredService<DataDirectory>().Combine("talko.db")}")
                    .AddInterceptors(services.GetServices<IInterceptor>()));
        }

        return builder;
    }
}
