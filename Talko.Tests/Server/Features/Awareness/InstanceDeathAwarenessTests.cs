using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Awareness;
using Talko.Server.Features.Awareness;
using Talko.Tests.Infrastructure;
using Xunit.Abstractions;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Talko.Tests.Server.Features.Awareness;

/// <summary>
/// A user connected to a real Talko.Server process that is killed with SIGKILL: no goodbye, so the
/// surviving instance must notice the dead instance (or the expired leases) and tell the watcher.
/// </summary>
public sealed class InstanceDeathAwarenessTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    [Fact]
    public async Task A_watcher_sees_the_user_of_a_killed_instance_go_offline()
    {
        var audience = new TestAudience();
        var codes = new CodeCapture();
        await using var survivor = new TalkoHost(Options("survivor"), AwarenessTestKit.Services(audience, codes));
        using var http = survivor.CreateClient();
        var alice = await AwarenessTestKit.SignUpAsync(http, codes, "alice");
        var bob = await AwarenessTestKit.SignUpAsync(http, codes, "bob");
        var conversation = Guid.NewGuid().ToString();
        audience.Add(conversation, alice.UserId, bob.UserId);
        await using var watcher = await AwarenessTestKit.ConnectAsync(survivor, bob);

        await using var doomed = await TalkoProcess.StartAsync(Options("doomed"));
        var device = await AwarenessTestKit.ConnectAsync(doomed, alice);
        await TestTimeouts.EventuallyAsync(
            async () => (await watcher.Connection.InvokeAsync<List<AwarenessView>>("GetAwareness", conversation)).Any(v => v.UserId == alice.UserId && v.Presence == Presence.Online),
            TestTimeouts.Default,
            "alice online as seen from the other instance");

        await doomed.KillAsync();
        var killed = Stopwatch.StartNew();
        AwarenessView offline;
        do
        {
            offline = await watcher.NextAboutAsync(alice.UserId, TestTimeouts.Default);
        }
        while (offline.Presence != Presence.Offline);
        output.WriteLine($"offline after {killed.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(new AwarenessView(alice.UserId, Presence.Offline, ActivityView.From(Activity.None), null), offline);
        var snapshot = await watcher.Connection.InvokeAsync<List<AwarenessView>>("GetAwareness", conversation).WaitAsync(TestTimeouts.Default);
        Assert.Equal(Presence.Offline, snapshot.Single(v => v.UserId == alice.UserId).Presence);
        await device.DisposeAsync();
    }

    private TalkoHostOptions Options(string name) =>
        TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = $"{name}-{Guid.NewGuid():N}"[..14], Settings = AwarenessTestKit.Settings };
}
