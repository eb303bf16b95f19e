using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;
using Talko.Server.Kernel;

namespace Talko.Tests.Server.Hosting;

/// <summary>What answers 503 + Retry-After (a dependency that cannot answer now) and what stays a bug (ADR 0205).</summary>
public sealed class DependencyFailuresTests
{
    public static TheoryData<string> Unavailable => new()
    {
        "08006", // connection failure
        "53300", // remaining connection slots are reserved
        "57P01", // terminating connection due to administrator command (a restart)
        "57P03", // the database system is starting up
    };

    [Theory]
    [MemberData(nameof(Unavailable))]
    public void PostgreSQL_refusing_work_for_a_while_is_a_dependency_failure_even_wrapped_by_EF(string sqlState)
    {
        var postgres = new PostgresException("refused", "FATAL", "FATAL", sqlState);
        var wrapped = new DbUpdateException("An error occurred while saving the entity changes.", postgres);

        Assert.Same(postgres, DependencyFailures.Cause(wrapped));
    }

    [Fact]
    public void Connection_refused_Redis_away_and_timeouts_are_dependency_failures()
    {
        Assert.NotNull(DependencyFailures.Cause(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.NotNull(DependencyFailures.Cause(new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "No connection is active", null, CommandStatus.Unknown)));
        Assert.NotNull(DependencyFailures.Cause(new InvalidOperationException("outer", new TimeoutException())));
    }

    [Theory]
    [InlineData("23505")] // unique violation: a bug or a client race, not an outage
    [InlineData("42P01")] // undefined table
    public void Other_PostgreSQL_errors_and_plain_exceptions_stay_bugs(string sqlState)
    {
        Assert.Null(DependencyFailures.Cause(new PostgresException("no", "ERROR", "ERROR", sqlState)));
        Assert.Null(DependencyFailures.Cause(new InvalidOperationException("a bug")));
    }
}
