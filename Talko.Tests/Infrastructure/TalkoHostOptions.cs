namespace Talko.Tests.Infrastructure;

/// <summary>How to start one Talko instance in a test: embedded (nulls) or scaled out (connection strings).</summary>
public sealed record TalkoHostOptions
{
    public string? Postgres { get; init; }

    public string? Redis { get; init; }

    public string RedisPrefix { get; init; } = $"test-{Guid.NewGuid():N}";

    public string InstanceId { get; init; } = $"test-{Guid.NewGuid():N}"[..13];

    public string AdminKey { get; init; } = "test-admin-key";

    /// <summary>The hosting environment; "Development" is how `dotnet run` starts the server.</summary>
    public string Environment { get; init; } = "Testing";

    /// <summary>Extra configuration, as "Section:Key" = value.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public static TalkoHostOptions Embedded() => new();

    public static TalkoHostOptions ScaledOut(PostgresFixture postgres, RedisFixture redis) =>
        new() { Postgres = postgres.ConnectionString, Redis = redis.ConnectionString, RedisPrefix = redis.Prefix };

    /// <summary>Every setting this host runs with, as configuration keys.</summary>
    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        yield return new("ConnectionStrings:Postgres", Postgres ?? "");
        yield return new("ConnectionStrings:Redis", Redis ?? "");
        yield return new("Talko:RedisPrefix", RedisPrefix);
        yield return new("Talko:Instance:Id", InstanceId);
        yield return new("Talko:Admin:ApiKey", AdminKey);
        // Shared by every host of a test run, so several instances on one database agree on tokens and hashes.
        yield return new("Talko:Auth:SigningKey", "dGFsa28tdGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVm");
        yield return new("Talko:Accounts:IdentifierHashKey", "dGFsa28tdGVzdC1pZGVudGlmaWVyLWtleS0wMTIzNDU2Nzg5YWI=");
        // Tests sign the same identifier in many times in a row from one test client; the code abuse limits have
        // their own tests, which set them back (Settings come last and win).
        yield return new("Talko:Accounts:CodeResendCooldown", "00:00:00");
        yield return new("Talko:Accounts:CodeRequestsPerRequester", "100000");
        yield return new("Talko:Accounts:CodeRequestsPerRequesterAndIdentifier", "100000");
        foreach (var setting in Settings)
        {
            yield return setting;
        }
    }
}
