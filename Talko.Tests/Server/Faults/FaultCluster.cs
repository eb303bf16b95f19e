using System.Net.Http.Headers;
using Npgsql;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// What a fault-injection test runs against: two real Talko.Server processes (each with its SIP engine) sharing a Redis
/// of the test's own and PostgreSQL (the shared server, or a private cluster for a test that restarts it), and Alice
/// and Bob, members of one conversation. Users are signed up through an in-process host that is gone before the fault.
/// Production timings (registry and claim TTLs of 6 s) are kept, so the figures compare with a real deployment.
/// </summary>
internal sealed class FaultCluster : IAsyncDisposable
{
    /// <summary>Per instance: two instances and the sign-up host stay well under PostgreSQL's 100 - 3 reserved (docs/deploy.md).</summary>
    public const int MaxPoolSize = 30;

    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"faults-{Guid.NewGuid():N}");
    private readonly string prefix = $"faults-{Guid.NewGuid():N}";

    private FaultCluster(PrivateRedisServer redis, PrivatePostgresServer? privatePostgres, string postgres)
    {
        Redis = redis;
        PrivatePostgres = privatePostgres;
        Postgres = new NpgsqlConnectionStringBuilder(postgres) { MaxPoolSize = MaxPoolSize }.ConnectionString;
    }

    public PrivateRedisServer Redis { get; }

    /// <summary>Set when the test asked for a PostgreSQL it may restart.</summary>
    public PrivatePostgresServer? PrivatePostgres { get; }

    public string Postgres { get; }

    public TalkoProcess One { get; private set; } = null!;

    public TalkoProcess Two { get; private set; } = null!;

    public string AliceToken { get; private set; } = "";

    public string BobToken { get; private set; } = "";

    public Guid ConversationId { get; private set; }

    /// <param name="sharedPostgres">The shared server's database for this test class; null starts a private cluster.</param>
    public static async Task<FaultCluster> StartAsync(string? sharedPostgres)
    {
        var redis = new PrivateRedisServer();
        await redis.StartAsync();
        PrivatePostgresServer? own = null;
        if (sharedPostgres is null)
        {
            own = new PrivatePostgresServer();
            await own.StartAsync();
        }

        var cluster = new FaultCluster(redis, own, sharedPostgres ?? own!.ConnectionString);
        await cluster.SetUpAsync();
        return cluster;
    }

    public HttpClient Client(TalkoProcess instance, string accessToken)
    {
        var client = instance.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (One is not null)
        {
            await One.DisposeAsync();
        }

        if (Two is not null)
        {
            await Two.DisposeAsync();
        }

        await Redis.DisposeAsync();
        if (PrivatePostgres is not null)
        {
            await PrivatePostgres.DisposeAsync();
        }

        TestDirectory.Delete(shared);
    }

    private async Task SetUpAsync()
    {
        // The sign-up host migrates the database first, so the processes start on a ready schema.
        await using (var registrar = new TalkoHost(Options("faults-signup")))
        {
            using var alice = await registrar.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
            using var bob = await registrar.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
            var group = await alice.Client.CreateGroupAsync("Crew");
            await alice.Client.AddMemberAsync(group.Id, bob.UserId);
            ConversationId = (await alice.Client.CreateConversationAsync(group.Id, "Faults")).Id;
            AliceToken = alice.Tokens.AccessToken;
            BobToken = bob.Tokens.AccessToken;
        }

        One = await TalkoProcess.StartAsync(Options("faults-one"));
        Two = await TalkoProcess.StartAsync(Options("faults-two"));
    }

    private TalkoHostOptions Options(string instance)
    {
        var settings = CallsTestKit.InstanceSettings(shared, FreePort.Find());
        // Production timings: the calls kit shortens them for its own tests.
        foreach (var key in new[] { "Talko:Instance:HeartbeatInterval", "Talko:Instance:EntryTimeToLive", "Talko:Calls:Ownership:ClaimTimeToLive", "Talko:Calls:RenewInterval", "Talko:Calls:SweepInterval" })
        {
            settings.Remove(key);
        }

        return new TalkoHostOptions
        {
            Postgres = Postgres,
            Redis = Redis.ConnectionString,
            RedisPrefix = prefix,
            InstanceId = $"{instance}-{Guid.NewGuid():N}"[..(instance.Length + 5)],
            Settings = settings,
        };
    }
}
