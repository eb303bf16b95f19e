using System.Net.Sockets;

namespace Talko.Server.Kernel;

/// <summary>
/// Tells a dependency that cannot answer now (Redis away, PostgreSQL restarting or out of connection slots, a timeout)
/// from a bug: the first is answered 503 + Retry-After and logged as a Warning with its cause, the second is an error
/// (ADR 0205).
/// </summary>
public static class DependencyFailures
{
    /// <summary>The first exception in the chain (outermost first) that says a dependency is away; null for a bug.</summary>
    public static Exception? Cause(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (IsUnavailable(current))
            {
                return current;
            }
        }

        return null;
    }

    private static bool IsUnavailable(Exception exception) => exception switch
    {
        TimeoutException or SocketException => true,
        StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException => true,
        Npgsql.PostgresException postgres => postgres.IsTransient || IsServerUnavailable(postgres.SqlState),
        Npgsql.NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    /// <summary>
    /// PostgreSQL refusing work for a while: a connection failure (class 08), out of resources such as connection
    /// slots (class 53: "remaining connection slots are reserved", 53300), or shutting down and starting up during a
    /// restart (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
    /// </summary>
    private static bool IsServerUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState is "57P01" or "57P02" or "57P03";

}
