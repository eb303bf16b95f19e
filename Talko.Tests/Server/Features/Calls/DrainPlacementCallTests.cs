using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Data;
using Talko.Server.Features.Calls;
using Talko.Server.Features.Calls.Entities;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// A draining instance takes no new calls: one started through its API is placed on a serving instance (which rings
/// the members' devices), an INVITE for it reaching the draining one is redirected there, and calls the draining
/// instance already owns go on. With no serving instance left, a new call is refused: HTTP 503 ProblemDetails and
/// SIP 503, both with Retry-After.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class DrainPlacementCallTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly CallInstances instances = new(postgres, redis);
    private TalkoHost a = null!;
    private TalkoHost b = null!;
    private int sipPortA;
    private int sipPortB;

    public Task InitializeAsync()
    {
        (a, sipPortA) = instances.StartHost("place-a", DrainMovesNothing);
        (b, sipPortB) = instances.StartHost("place-b", DrainMovesNothing);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task A_draining_instance_places_new_calls_on_a_serving_one_redirects_their_INVITEs_keeps_its_own_and_refuses_when_none_serves()
    {
        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await a.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var first = await alice.Client.CreateConversationAsync(group.Id, "Before the drain");
        var second = await alice.Client.CreateConversationAsync(group.Id, "During the drain");
        var third = await alice.Client.CreateConversationAsync(group.Id, "Nobody serving");
        var registry = a.Services.GetRequiredService<InstanceRegistry>();
        await TestTimeouts.EventuallyAsync(() => registry.FindAsync("place-b"), d => d is { State: InstanceState.Serving, SipAddress.Length: > 0 },
            TimeSpan.FromSeconds(10), "B serving with SIP in the registry");

        // A call A owns, with Alice talking in it, before the drain. Bob does not pick up (his phone is not registered yet).
        var old = await alice.Client.StartCallAsync(first.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("place-a", old.OwnerInstanceId);
        await using var oldPeer = new CallAudioPeer();
        var oldLeg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortA}", old.Id, alice, oldPeer.Port, TimeSpan.FromSeconds(20));
        await CallsTestKit.MediaFlowingAsync(oldPeer, oldLeg);

        // Now Bob's phone registers (with A, the instance about to drain) and waits to ring.
        await using var bobPeer = new CallAudioPeer();
        var bobDevice = await CallsTestKit.RegisterAndAwaitRingAsync($"127.0.0.1:{sipPortA}", bob, FreePort.Find(), bobPeer.Port).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(a.Services.GetRequiredService<InstanceLifecycle>().BeginDrain());
        await TestTimeouts.EventuallyAsync(() => registry.FindAsync("place-a"), d => d?.State == InstanceState.Draining, TimeSpan.FromSeconds(10), "A draining in the registry");

        // A new call through A's API is placed on B; B, its owner, rings Bob's phone.
        var placed = await alice.Client.StartCallAsync(second.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("place-b", placed.OwnerInstanceId);
        await CallsTestKit.MediaFlowingAsync(bobPeer, bobDevice);
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(placed.Id), c => c.Participants.Any(p => p.UserId == bob.UserId),
            TimeSpan.FromSeconds(10), "Bob's phone rung into the placed call");
        Assert.Contains(placed.Id, b.Services.GetRequiredService<CallHost>().OwnedCalls);
        Assert.DoesNotContain(placed.Id, a.Services.GetRequiredService<CallHost>().OwnedCalls);

        // Alice's phone INVITEs A for the placed call: A redirects it to B (the scenario requires the 302), where it joins.
        await using var placedPeer = new CallAudioPeer();
        var placedLeg = CallsTestKit.SippLegAsync("call-leg-redirect.xml", $"127.0.0.1:{sipPortA}", placed.Id, alice, placedPeer.Port, TimeSpan.FromSeconds(2));
        await CallsTestKit.MediaFlowingAsync(placedPeer, placedLeg);
        var both = await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(placed.Id), c => c.Participants.Count == 2, TimeSpan.FromSeconds(10), "Alice and Bob in the placed call");
        Assert.Equal("place-b", both.OwnerInstanceId);
        var placedResult = await placedLeg.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(placedResult.ExitCode == 0, "alice via the redirect: " + placedResult);

        // The call A owned before the drain goes on there.
        var oldNow = await alice.Client.GetCallAsync(old.Id);
        Assert.Equal("place-a", oldNow.OwnerInstanceId);
        Assert.Equal("live", oldNow.State);
        Assert.Single(oldNow.Participants);

        // B drains too: nobody serves. A new call is refused before anything is committed.
        Assert.True(b.Services.GetRequiredService<InstanceLifecycle>().BeginDrain());
        await TestTimeouts.EventuallyAsync(() => registry.FindAsync("place-b"), d => d?.State == InstanceState.Draining, TimeSpan.FromSeconds(10), "B draining in the registry");
        using (var refused = await alice.Client.PostAsync($"/v1/conversations/{third.Id}/calls", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            var problem = await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.Equal("call_unavailable", problem.GetProperty("reason").GetString());
        }

        var items = await alice.Client.ItemsAsync(third.Id, "");
        Assert.DoesNotContain(items.Items, i => i.SystemEvent == "call-started");

        // A live call nobody owns (as if the instance that started it had died at once): A's SIP answers 503 with Retry-After.
        var orphan = Guid.CreateVersion7();
        await using (var scope = a.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            db.Add(new Call { Id = orphan, ConversationId = third.Id, StartedBy = alice.UserId, StartedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var sipRefused = await CallsTestKit.SippRefusedAsync($"127.0.0.1:{sipPortA}", orphan, alice).WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(sipRefused.ToString());
        Assert.True(sipRefused.ExitCode == 0, "INVITE to draining A with nobody serving: " + sipRefused);
        Assert.Null(await a.Services.GetRequiredService<CallOwnership>().FindOwnerAsync(orphan.ToString()));

        await using (var scope = a.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            await db.Set<Call>().Where(c => c.Id == orphan).ExecuteUpdateAsync(set => set.SetProperty(c => c.EndedAt, DateTime.UtcNow));
        }

        // Ending the placed call hangs up Bob's phone from B (the BYE it waits for); A's own call ends when Alice hangs up.
        using (var end = await alice.Client.PostAsync($"/v1/calls/{placed.Id}/end", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            end.EnsureSuccessStatusCode();
        }

        var bobResult = await bobDevice.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(bobResult.ExitCode == 0, "bob's phone: " + bobResult);
        var oldResult = await oldLeg.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(oldResult.ExitCode == 0, "the call A owned was cut during the drain: " + oldResult);
        Assert.True(oldPeer.Heard.Length > 8000 * 10, $"Alice heard only {oldPeer.Heard.Length} samples in A's call");

        using (var endOld = await alice.Client.PostAsync($"/v1/calls/{old.Id}/end", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            endOld.EnsureSuccessStatusCode();
        }
    }

    private static void DrainMovesNothing(Dictionary<string, string?> settings)
    {
        // The drain must not move or end calls, nor stop the process, while the test looks at it.
        settings["Talko:Drain:CallDeadline"] = "00:10:00";
        settings["Talko:Drain:HardDeadline"] = "00:15:00";
        settings["Talko:Drain:ExitWhenDrained"] = "false";
    }
}
