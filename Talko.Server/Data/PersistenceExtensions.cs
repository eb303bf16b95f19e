using Microsoft.EntityFrameworkCore;
using Talko.Server.Hosting;

namespace Talko.Server.Data;

public static class PersistenceExtensions
{
    /// <summary>PostgreSQL when ConnectionStrings:Postgres is set, otherwise a SQLite file in the data directory.</summary>
    public static IHostApplicationBuilder AddTalkoPersistence(this IHostApplicationBuilder builder, TalkoMode mode)
    {
        if (mode.UsesPostgres)
        {
            builder.Services.AddDbContext<TalkoDbContext, PostgresTalkoDbContext>(options =>
                options.UseNpgsql(mode.PostgresConnectionString, npgsql => npgsql.EnableRetryOnFailure(3)));
        }
        else
        {
            builder.Services.AddDbContext<TalkoDbContext, SqliteTalkoDbContext>((services, options) =>
                options.UseSqlite($"Data Source={services.GetRequiredService<DataDirectory>().Combine("talko.db")}"));
        }

        return builder;
    }
}
