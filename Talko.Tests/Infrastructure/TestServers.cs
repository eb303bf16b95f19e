using System.Diagnostics;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// Where the real servers for integration tests come from: environment variables set by
/// scripts/test.sh, else Testcontainers when a Docker engine answers. Under CI=true a missing server
/// fails the test with instructions; it never silently skips.
/// </summary>
public static class TestServers
{
    public const string RedisVariable = "TALKO_TEST_REDIS";
    public const string PostgresVariable = "TALKO_TEST_POSTGRES";

    /// <summary>Comma-separated nodes of a Redis Cluster (scripts/test.sh starts three primaries).</summary>
    public const string RedisClusterVariable = "TALKO_TEST_REDIS_CLUSTER";

    public static string? RedisFromEnvironment => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } value ? value : null;

    public static string? RedisClusterFromEnvironment => Environment.GetEnvironmentVariable(RedisClusterVariable) is { Length: > 0 } value ? value : null;

    public static string? PostgresFromEnvironment => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    private static readonly Lazy<bool> DockerAnswers = new(ProbeDocker);

    public static bool DockerAvailable => DockerAnswers.Value;

    public static Exception Missing(string what, string variable) => new InvalidOperationException(
        $"{what} is needed for this test and none was found: {variable} is not set and no Docker engine answers. " +
        $"Run the tests with scripts/test.sh (it starts redis-server and PostgreSQL locally), or set {variable}.");

    private static bool ProbeDocker()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (docker is null)
            {
                return false;
            }

            if (!docker.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                docker.Kill();
                return false;
            }

            return docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
