using Npgsql;
using Testcontainers.PostgreSql;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL database for a test class: a fresh database on the server named by
/// TALKO_TEST_POSTGRES (or a Testcontainers server), dropped afterwards. Test classes run in parallel
/// without sharing tables.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgreSqlContainer? container;
    private string serverConnectionString = "";

    public string DatabaseName { get; } = $"talko_test_{Guid.NewGuid():N}";

    /// <summary>Connection string of this fixture's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (TestServers.PostgresFromEnvironment is { } configured)
        {
            serverConnectionString = configured;
        }
        else if (TestServers.DockerAvailable)
        {
            container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await container.StartAsync().WaitAsync(TestTimeouts.Long);
            serverConnectionString = container.GetConnectionString();
        }
        else
        {
            throw TestServers.Missing("PostgreSQL", TestServers.PostgresVariable);
        }

        await ExecuteOnServerAsync($"CREATE DATABASE \"{DatabaseName}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (serverConnectionString.Length > 0)
        {
            await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)");
        }

        if (container is not null)
        {
            await container.DisposeAsync();
        }
    }

    /// <summary>Empties every table of the Talko schema (not the migrations history), for tests that need a blank slate.</summary>
    public async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            DO $$ DECLARE tables text;
            BEGIN
              SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables
              FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\_\_EF%';
              IF tables IS NOT NULL THEN EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE'; END IF;
            END $$;
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync().WaitAsync(TestTimeouts.Default);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(TestTimeouts.Default);
    }
}
