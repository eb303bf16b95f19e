using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Conversations;
using Talko.Server.Features.Realtime;
using Talko.Tests.Features.Conversations;
using Talko.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// Redis is ephemeral, not a single point of failure: with two instances sharing PostgreSQL and a Redis of the test's
/// own, Redis is killed for 30 s while a client posts and reads every 100 ms through both instances. Every request gets
/// a 2xx or a 503 with Retry-After (never a 500), posting and reading go on during the outage, a listener on the other
/// instance is told to resync when Redis is back, and afterwards it has every acknowledged item once, without gaps.
/// </summary>
public sealed class RedisOutageTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private readonly PrivateRedisServer redis = new();
    private TalkoHost one = null!;
    private TalkoHost two = null!;

    public async Task InitializeAsync()
    {
        await redis.StartAsync();
        one = new TalkoHost(Options("one"));
        one.CreateClient().Dispose();
        two = new TalkoHost(Options("two"));
        two.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await one.DisposeAsync();
        await two.DisposeAsync();
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task Durable_work_goes_on_while_Redis_is_away_and_the_listener_resyncs_to_every_item_after()
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await one.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Outage");
        using var aliceOnTwo = two.CreateClient(alice.Tokens.AccessToken);
        using var bobOnTwo = two.CreateClient(bob.Tokens.AccessToken);
        var (_, bobsToken) = await bobOnTwo.SyncAllAsync(null);

        var resynced = new TaskCompletionSource<RealtimeResync>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = two.CreateHubConnection(bob);
        hub.On<RealtimeResync>(RealtimeConnections.ResyncEvent, resync => resynced.TrySetResult(resync));
        await hub.StartAndWaitUntilReadyAsync();

        var statuses = new ConcurrentBag<(string What, HttpStatusCode Status, bool RetryAfter, bool DuringOutage)>();
        var acknowledged = new ConcurrentBag<string>();
        var outage = false;
        using var stop = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var text = $"message {n}";
                var client = n % 2 == 0 ? alice.Client : aliceOnTwo;
                var during = Volatile.Read(ref outage);
                using var post = await client.PostTextAsync(conversation.Id, Guid.NewGuid().ToString("N"), text);
                statuses.Add(("post", post.StatusCode, post.Headers.RetryAfter is not null, during));
                if (post.IsSuccessStatusCode)
                {
                    acknowledged.Add(text);
                }

                using var read = await bobOnTwo.GetAsync($"/v1/conversations/{conversation.Id}/items?limit=5").WaitAsync(TestTimeouts.Default);
                statuses.Add(("read", read.StatusCode, read.Headers.RetryAfter is not null, during));
                await Task.Delay(100);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();
        await redis.StopAsync();
        Volatile.Write(ref outage, true);
        await Task.Delay(Outage);
        Volatile.Write(ref outage, false);
        await redis.StartAsync();
        var restarted = clock.Elapsed;
        var resync = await resynced.Task.WaitAsync(TestTimeouts.Long);
        output.WriteLine($"resync ({resync.Reason}) {(clock.Elapsed - restarted).TotalSeconds:F1} s after Redis came back");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await traffic.WaitAsync(TestTimeouts.Default);

        foreach (var answers in statuses.GroupBy(s => (s.What, s.DuringOutage, s.Status)).OrderBy(g => g.Key.ToString()))
        {
            output.WriteLine($"{answers.Key.What} {(answers.Key.DuringOutage ? "during" : "outside")} the outage: {(int)answers.Key.Status} x {answers.Count()}");
        }

        Assert.All(statuses, s => Assert.True(
            (int)s.Status is >= 200 and < 300 || (s.Status == HttpStatusCode.ServiceUnavailable && s.RetryAfter),
            $"{s.What} answered {(int)s.Status}{(s.RetryAfter ? " with" : " without")} Retry-After"));
        Assert.Contains(statuses, s => s.DuringOutage && s.What == "post" && (int)s.Status is >= 200 and < 300);
        Assert.Contains(statuses, s => s.DuringOutage && s.What == "read" && s.Status == HttpStatusCode.OK);

        // The listener syncs as told: every acknowledged item once, and seq without gaps.
        var (pages, _) = await bobOnTwo.SyncAllAsync(bobsToken);
        var items = pages.SelectMany(p => p.Items).Where(i => i.ConversationId == conversation.Id && i.Kind == ItemKind.Text).ToList();
        Assert.Equal(acknowledged.Order(), items.Select(i => i.Text!).Order());
        var seqs = pages.SelectMany(p => p.Items).Where(i => i.ConversationId == conversation.Id).Select(i => i.Seq).Order().ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Count).Select(i => (long)i), seqs);
    }

    private TalkoHostOptions Options(string instance) => new()
    {
        Postgres = postgres.ConnectionString,
        Redis = redis.ConnectionString,
        InstanceId = $"{instance}-{Guid.NewGuid():N}"[..12],
    };
}
