namespace Talko.Server.Kernel;

/// <summary>
/// Which backing services this process uses. With no configuration Talko is embedded (SQLite and
/// in-process state, one instance); connection strings for PostgreSQL and Redis make it scale out.
/// </summary>
public sealed record TalkoMode(string? PostgresConnectionString, string? RedisConnectionString)
{
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    public bool UsesRedis => !string.IsNullOrWhiteSpace(RedisConnectionString);

    public static TalkoMode From(IConfiguration configuration) =>
        new(configuration.GetConnectionString("Postgres"), configuration.GetConnectionString("Redis"));

    public override string ToString() =>
        $"{(UsesPostgres ? "PostgreSQL" : "SQLite")} database, {(UsesRedis ? "Redis" : "in-process")} ephemeral state and events";
}
