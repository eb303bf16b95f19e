using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of a test's own (initdb and pg_ctl, as scripts/test.sh does for the shared one: as the postgres
/// user when run as root) on a free loopback port with its data under /tmp, so a test can stop and restart it without
/// disturbing the server every other test uses. PostgreSQL's default max_connections (100) is kept, as in production.
/// </summary>
public sealed class PrivatePostgresServer : IAsyncDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "talko-tests", $"pg-{Guid.NewGuid():N}");
    private readonly string bin = FindBin();

    public int Port { get; } = FreePort.Find();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=talko";

    /// <summary>PostgreSQL's default: what the pool sizing of docs/deploy.md is checked against.</summary>
    public int MaxConnections => 100;

    public async Task StartAsync()
    {
        Directory.CreateDirectory(directory);
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres", directory]);
        }

        await AsPostgresAsync($"'{bin}/initdb' -D '{directory}/data' -A trust -U postgres >/dev/null");
        await StartServerAsync();
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE DATABASE talko", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A restart as an operator does it: a fast shutdown (sessions are terminated, 57P01), <paramref name="down"/> with
    /// nothing listening (connections refused), then a start (57P03 while it comes up).
    /// </summary>
    public async Task RestartAsync(TimeSpan down)
    {
        await AsPostgresAsync($"'{bin}/pg_ctl' -D '{directory}/data' -m fast -w stop >/dev/null");
        await Task.Delay(down);
        await StartServerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsPostgresAsync($"'{bin}/pg_ctl' -D '{directory}/data' -m immediate -w stop >/dev/null 2>&1 || true");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }
    }

    private Task StartServerAsync() => AsPostgresAsync(
        $"'{bin}/pg_ctl' -D '{directory}/data' -l '{directory}/server.log' -w -o \"-p {Port.ToString(CultureInfo.InvariantCulture)} -k /tmp " +
        "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null");

    private static bool IsRoot => Environment.UserName == "root";

    private static Task AsPostgresAsync(string command) =>
        IsRoot ? RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", command]) : RunAsync("/bin/sh", ["-c", command]);

    private static async Task RunAsync(string file, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static string FindBin() =>
        (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var version) ? version : 0)
            .LastOrDefault()
        ?? throw new InvalidOperationException("PostgreSQL's initdb is needed (apt-get install postgresql; scripts/test.sh installs it).");
}
