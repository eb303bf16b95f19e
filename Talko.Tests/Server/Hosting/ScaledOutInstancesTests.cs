using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Hosting;

/// <summary>
/// Real Talko.Server processes sharing one Redis and one PostgreSQL: the registry sees them, a SIGKILL
/// makes one vanish by expiry alone, drain shows in readiness and in the registry.
/// </summary>
public sealed class ScaledOutInstancesTests(PostgresFixture postgres, RedisFixture redis) : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Two_instances_register_and_a_killed_one_disappears_within_ten_seconds()
    {
        var (blue, green) = await StartPairAsync("blue-1", "green-1");
        await using var _ = blue;
        await using var __ = green;
        using var admin = green.CreateAdminClient();

        await TestTimeouts.EventuallyAsync(async () => (await InstanceIds(admin)).IsSupersetOf(["blue-1", "green-1"]), TestTimeouts.Default, "both instances registered");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/health/ready")).StatusCode);

        await blue.KillAsync();
        var killedAt = DateTime.UtcNow;

        await TestTimeouts.EventuallyAsync(async () => !(await InstanceIds(admin)).Contains("blue-1"), TestTimeouts.Default, "the killed instance to leave the registry");
        Assert.True(DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(10), $"gone after {(DateTime.UtcNow - killedAt).TotalSeconds:F1} s");
        Assert.Contains("green-1", await InstanceIds(admin));
    }

    [Fact]
    public async Task Drain_shows_in_readiness_and_in_every_instances_view_of_the_registry()
    {
        var (blue, green) = await StartPairAsync("blue-2", "green-2");
        await using var _ = blue;
        await using var __ = green;
        using var blueAdmin = blue.CreateAdminClient();
        using var greenAdmin = green.CreateAdminClient();

        Assert.Equal(HttpStatusCode.Accepted, (await blueAdmin.PostAsync("/v1/admin/drain", null)).StatusCode);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await blueAdmin.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await greenAdmin.GetAsync("/health/ready")).StatusCode);
        await TestTimeouts.EventuallyAsync(async () => await StateOf(greenAdmin, "blue-2") == "Draining", TestTimeouts.Default, "green to see blue draining");
        Assert.Equal("Serving", await StateOf(greenAdmin, "green-2"));
    }

    [Fact]
    public async Task Sigterm_stops_gracefully_and_deregisters_at_once()
    {
        await using var blue = await TalkoProcess.StartAsync(Options("blue-3"));
        await using var green = await TalkoProcess.StartAsync(Options("green-3"));
        using var admin = green.CreateAdminClient();
        await TestTimeouts.EventuallyAsync(async () => (await InstanceIds(admin)).Contains("blue-3"), TestTimeouts.Default, "blue registered");

        await blue.TerminateAsync();

        Assert.True(blue.HasExited);
        // Deregistration on a clean stop is immediate, well inside the heartbeat TTL.
        Assert.DoesNotContain("blue-3", await InstanceIds(admin));
    }

    /// <summary>Two processes started together against a fresh database: both migrate at once and must not collide.</summary>
    private async Task<(TalkoProcess Blue, TalkoProcess Green)> StartPairAsync(string blueId, string greenId)
    {
        var started = await Task.WhenAll(TalkoProcess.StartAsync(Options(blueId)), TalkoProcess.StartAsync(Options(greenId))).WaitAsync(TestTimeouts.Long);
        return (started[0], started[1]);
    }

    private TalkoHostOptions Options(string instanceId) =>
        TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = instanceId };

    private static async Task<HashSet<string>> InstanceIds(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonElement>("/v1/admin/instances").WaitAsync(TestTimeouts.Default))
            .EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToHashSet();

    private static async Task<string?> StateOf(HttpClient admin, string instanceId) =>
        (await admin.GetFromJsonAsync<JsonElement>("/v1/admin/instances").WaitAsync(TestTimeouts.Default))
            .EnumerateArray().FirstOrDefault(i => i.GetProperty("id").GetString() == instanceId) is { ValueKind: JsonValueKind.Object } found
                ? found.GetProperty("state").GetString()
                : null;
}
