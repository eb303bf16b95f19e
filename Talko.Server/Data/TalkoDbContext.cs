using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Talko.Server.Data;

/// <summary>
/// Talko's durable data. Features add their entities through <c>IEntityTypeConfiguration</c> classes
/// in this assembly, picked up by <see cref="OnModelCreating"/>. Two provider-specific subclasses carry
/// their own migrations (see docs/decisions/0006-migrations-per-provider-and-provider-only-schema.md).
/// </summary>
public abstract class TalkoDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TalkoDbContext).Assembly, type => !IsPostgresOnly(type));

    private protected static bool IsPostgresOnly(Type configuration) => configuration.GetCustomAttribute<PostgresOnlyAttribute>() is not null;
}

/// <summary>The scale-out database.</summary>
public sealed class PostgresTalkoDbContext(DbContextOptions<PostgresTalkoDbContext> options) : TalkoDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TalkoDbContext).Assembly, IsPostgresOnly);
    }
}

/// <summary>The embedded database: one file under the data directory.</summary>
public sealed class SqliteTalkoDbContext(DbContextOptions<SqliteTalkoDbContext> options) : TalkoDbContext(options);
