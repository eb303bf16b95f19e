using Talko.Server.Features.Calls;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// Redis is ephemeral, PostgreSQL restarts, instances die (issue 21): each fault is injected into two real Talko.Server
/// processes while clients post, read, listen and sync through both (<see cref="FaultScenario"/> holds the checks every
/// fault shares). Figures go to the output (and to scripts/faults.sh) for docs/benchmarks.md; only the rules are asserted.
/// Trait Category=Faults: scripts/test.sh runs them with everything else, once per run.
/// </summary>
[Trait("Category", "Faults")]
public sealed class FaultInjectionTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan RedisOutage = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Redis_stopped_for_30_s_durable_work_goes_on_and_the_listener_resyncs_to_every_item()
    {
        await using var cluster = await FaultCluster.StartAsync(postgres.ConnectionString);
        var report = new FaultReport("Redis stopped for 30 s");
        var scenario = new FaultScenario(cluster, report, output);
        TimeSpan? stoppedAt = null, backAt = null;
        await scenario.RunAsync(async s =>
        {
            await cluster.Redis.StopAsync();
            stoppedAt = s.Log.Clock.Elapsed;
            await Task.Delay(RedisOutage);
            await cluster.Redis.StartAsync();
            backAt = s.Log.Clock.Elapsed;
            await TestTimeouts.EventuallyAsync(() => Task.FromResult(s.Listener.Resyncs.Count > 0), TestTimeouts.Long, "resync on the listener after Redis came back");
            report.Seconds("resync after Redis was back", s.Listener.Resyncs[0] - backAt.Value);
        });

        // Durable work went on while Redis was away, not only before and after.
        var during = scenario.Log.All.Where(a => a.At > stoppedAt!.Value && a.At < backAt!.Value).ToList();
        Assert.Contains(during, a => a.What == "post" && a.Succeeded);
        Assert.Contains(during, a => a.What == "read" && a.Succeeded);
    }

    [Fact]
    public async Task PostgreSQL_restarted_answers_are_2xx_or_503_with_Retry_After_and_nothing_acknowledged_is_lost()
    {
        await using var cluster = await FaultCluster.StartAsync(sharedPostgres: null);
        var report = new FaultReport("PostgreSQL restarted (fast shutdown, 2 s down, start)");
        await new FaultScenario(cluster, report, output).RunAsync(_ => cluster.PrivatePostgres!.RestartAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task The_owner_of_a_live_call_SIGKILLed_joins_move_the_call_at_once_and_traffic_goes_on()
    {
        await using var cluster = await FaultCluster.StartAsync(postgres.ConnectionString);
        var report = new FaultReport("Instance SIGKILL (the owner of a live call)");
        var joins = new FaultReport("Call owner SIGKILL: POST /v1/calls/{id}/join on the survivor every 100 ms");
        var scenario = new FaultScenario(cluster, report, output);
        using var aliceOnOne = cluster.Client(cluster.One, cluster.AliceToken);
        using var bobOnTwo = cluster.Client(cluster.Two, cluster.BobToken);
        var call = await aliceOnOne.StartCallAsync(cluster.ConversationId);
        var dead = cluster.One.Options.InstanceId;
        var survivor = cluster.Two.Options.InstanceId;
        Assert.Equal(dead, call.OwnerInstanceId);
        Assert.Equal(dead, (await bobOnTwo.JoinAsync(call.Id)).OwnerInstanceId);

        var joinLog = new AnswerLog();
        var pointedAtDead = 0;
        TimeSpan? joined = null;
        await scenario.RunAsync(async s =>
        {
            s.Killed.Add(dead);
            await cluster.One.KillAsync();
            s.Traffic.Remove(cluster.One);
            var killedAt = joinLog.Clock.Elapsed;
            while (joined is null && joinLog.Clock.Elapsed - killedAt < TestTimeouts.Long)
            {
                using var response = await joinLog.SendAsync("join", survivor, () => bobOnTwo.PostAsync($"/v1/calls/{call.Id}/join", null));
                if (response is { IsSuccessStatusCode: true })
                {
                    var join = System.Text.Json.JsonSerializer.Deserialize<JoinCallResponse>(await response.Content.ReadAsStringAsync(), TalkoJson.Options)!;
                    if (join.OwnerInstanceId == dead)
                    {
                        pointedAtDead++;
                    }
                    else
                    {
                        joined = joinLog.Clock.Elapsed - killedAt;
                    }
                }

                await Task.Delay(100);
            }
        });

        joins.Requests(joinLog.All);
        joins.Add($"200 answers pointing at the dead owner: {pointedAtDead}");
        joins.Seconds("SIGKILL to a successful join on the survivor", joined);
        joins.WriteTo(output);
        Assert.All(joinLog.All, a => Assert.True(a.Acceptable, $"join answered {a.Describe}"));
        Assert.Equal(0, pointedAtDead);
        Assert.NotNull(joined);
        Assert.Equal(survivor, (await bobOnTwo.JoinAsync(call.Id)).OwnerInstanceId);
    }
}
