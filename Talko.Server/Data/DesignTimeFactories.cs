using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Talko.Server.Data;

// Used only by `dotnet ef migrations add`; no database is contacted to generate a migration.

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTalkoDbContext>
{
    public PostgresTalkoDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTalkoDbContext>().UseNpgsql("Host=localhost;Database=talko_design").Options);
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTalkoDbContext>
{
    public SqliteTalkoDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTalkoDbContext>().UseSqlite("Data Source=design.db").Options);
}
