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
            await DropDatabaseAsync();
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

    /// <summary>
    /// Drops this fixture's database. FORCE ends the sessions it finds, but PostgreSQL then waits only five seconds
    /// for new ones to stop arriving: a host's background loop still winding down after the test can reconnect in
    /// that window (55006). Retry while that lasts, and name the sessions if it never ends, so a loop that outlives
    /// its host shows itself instead of failing the run as a bare cleanup error.
    /// </summary>
    private async Task DropDatabaseAsync()
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            try
            {
                await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Database {DatabaseName} stayed in use: {await DescribeSessionsAsync()}", e);
                }

                NpgsqlConnection.ClearAllPools();
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private async Task<string> DescribeSessionsAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(application_name, '') || ' ' || coalesce(state, '') || ': ' || coalesce(query, '') FROM pg_stat_activity WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", DatabaseName);
        var sessions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sessions.Add(reader.GetString(0));
        }

        return string.Join(" | ", sessions);
    }

    /// <summary>The server's maintenance database, unpooled: creating and dropping databases happens outside any pool.</summary>
    private string AdminConnectionString =>
        new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;

    private async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync().WaitAsync(TestTimeouts.Default);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(TestTimeouts.Default);
    }
}
