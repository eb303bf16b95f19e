using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Drain;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// ADR 0610: when a call moves off a live instance, the new owner may adopt it before the old one has closed its
/// recording segment. Here B adopts the moment the claim is its own (as its sweep, a ring or a quick rejoin can):
/// it must wait for A to close its segment, so the talker timeline of both segments survives the handover.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class HandoverTalkerTimelineTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const double BeforeTone = 1000;
    private const double AfterTone = 1500;
    private readonly CallInstances instances = new(postgres, redis);
    private readonly CapturedLogs logsB = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await instances.DisposeAsync();

    /// <summary>
    /// With a wait far longer than the test B must hear from A (SegmentStored) that A closed its segment, and go on at
    /// once; with none B closes it from the file at once and A, closing it moments later, adds the talker timeline only
    /// it has.
    /// </summary>
    [Theory]
    [InlineData("00:10:00")]
    [InlineData("00:00:00")]
    public async Task A_new_owner_adopting_before_the_old_one_closed_its_segment_keeps_the_talkers_of_both_segments(string handoverWait)
    {
        var (a, sipPortA) = instances.StartHost("handover-a");
        var (b, sipPortB) = instances.StartHost("handover-b", settings => settings["Talko:Calls:HandoverWait"] = handoverWait, logsB);

        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        using var aliceOnB = b.CreateClient(alice.Tokens.AccessToken);
        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("handover-a", call.OwnerInstanceId);

        // Alice talks on A: one spurt in A's segment.
        await using var beforePeer = new CallAudioPeer();
        var legAtA = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortA}", call.Id, alice, beforePeer.Port, TimeSpan.FromSeconds(20));
        await CallsTestKit.MediaFlowingAsync(beforePeer, legAtA);
        await beforePeer.TalkAsync(100, n => n < 50 ? BeforeTone : null).WaitAsync(TimeSpan.FromSeconds(10));
        var sentBefore = beforePeer.ToneSentOver;
        var registry = a.Services.GetRequiredService<InstanceRegistry>();
        await TestTimeouts.EventuallyAsync(() => registry.FindAsync("handover-b"), d => d is { State: InstanceState.Serving, SipAddress.Length: > 0 },
            TimeSpan.FromSeconds(10), "B serving with SIP in the registry");

        // B adopts as soon as the claim is its own, racing A, which is still hanging up its legs and closing its segment.
        var callKey = call.Id.ToString("D", CultureInfo.InvariantCulture);
        var ownershipB = b.Services.GetRequiredService<CallOwnership>();
        var hostB = b.Services.GetRequiredService<CallHost>();
        using var racing = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var eagerAdoption = Task.Run(async () =>
        {
            while (await ownershipB.FindOwnerAsync(callKey) != "handover-b")
            {
                await Task.Delay(2, racing.Token);
            }

            return await hostB.EnsureOwnedAsync(call.Id, racing.Token);
        });
        var result = await a.Services.GetRequiredService<ILiveCallMover>().MoveAwayAsync(callKey, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(result.Moved, result.Error);
        Assert.True(await eagerAdoption.WaitAsync(TimeSpan.FromSeconds(20)), "B did not adopt the call");
        var handover = logsB.Lines.FirstOrDefault(l => l.Contains($"Adopting call {call.Id}", StringComparison.Ordinal));
        output.WriteLine(handover ?? "B adopted after A had closed its segment (no wait)");
        if (handoverWait != "00:00:00" && handover is not null)
        {
            Assert.EndsWith("(closed by them: True)", handover, StringComparison.Ordinal);
        }
        await legAtA.WaitAsync(TimeSpan.FromSeconds(60));

        // Alice rejoins at B and talks again: one spurt in B's segment.
        var rejoin = await aliceOnB.JoinAsync(call.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("handover-b", rejoin.OwnerInstanceId);
        await using var afterPeer = new CallAudioPeer();
        var legAtB = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortB}", call.Id, alice, afterPeer.Port, TimeSpan.FromSeconds(3));
        await CallsTestKit.MediaFlowingAsync(afterPeer, legAtB);
        await afterPeer.TalkAsync(75, n => n < 50 ? AfterTone : null).WaitAsync(TimeSpan.FromSeconds(10));
        var atB = await legAtB.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(atB.ExitCode == 0, atB.ToString());
        using (var end = await aliceOnB.PostAsync($"/v1/calls/{call.Id}/end", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            end.EnsureSuccessStatusCode();
        }

        var timeline = await TestTimeouts.EventuallyAsync(() => aliceOnB.GetTimelineAsync(call.Id),
            t => t.Segments.Count == 2 && t.Segments.All(s => s.State == "Complete"), TimeSpan.FromSeconds(15), "two complete segments");
        output.WriteLine(string.Join("\n", timeline.Segments.Select(s => $"segment {s.Index} {s.InstanceId} base {s.BaseOffsetMs} duration {s.DurationMs}")));
        output.WriteLine(string.Join("\n", timeline.Markers.Select(m => $"{m.Kind} {m.OffsetMs}-{m.EndMs} {m.UserId}")));
        output.WriteLine($"tone sent over {sentBefore.TotalMilliseconds:F0} ms before the move, {afterPeer.ToneSentOver.TotalMilliseconds:F0} ms after");
        Assert.Equal(["handover-a", "handover-b"], timeline.Segments.Select(s => s.InstanceId));
        Assert.Equal(timeline.Segments[0].DurationMs, timeline.Segments[1].BaseOffsetMs);

        // Each segment has Alice's talk, about 1 s of it, inside it. The test's sender is paced by a timer on a shared
        // machine: a stall of a few hundred ms in it reaches the mixer as a pause and splits the talk into two spurts
        // (CI saw 260 ms + 760 ms), so the check is on the talk each segment holds, not on the number of spurts.
        var split = timeline.Segments[1].BaseOffsetMs;
        var talkers = timeline.Markers.Where(m => m.Kind == "talker" && m.UserId == alice.UserId).ToList();
        var beforeMove = talkers.Where(m => m.OffsetMs < split).ToList();
        var afterMove = talkers.Where(m => m.OffsetMs >= split).ToList();
        Assert.NotEmpty(beforeMove);
        Assert.NotEmpty(afterMove);
        // A stall can also hold the sender's frames back and then send them late (a full run saw 2.66 s of talk for 1 s of
        // tone): the upper bound follows how long the tone took to send.
        Assert.InRange(beforeMove.Sum(m => m.EndMs!.Value - m.OffsetMs), 700, CallsTestKit.TalkBound(sentBefore));
        Assert.InRange(afterMove.Sum(m => m.EndMs!.Value - m.OffsetMs), 700, CallsTestKit.TalkBound(afterPeer.ToneSentOver));
        Assert.True(beforeMove.All(m => m.EndMs <= split), "A's talk runs past its segment");

        // Her leg hung up by the move leaves where A's segment ends; the rejoin is at B's segment start.
        var leaves = timeline.Markers.Where(m => m.Kind == "leave" && m.UserId == alice.UserId).Select(m => m.OffsetMs).ToList();
        Assert.Contains(leaves, offset => offset > split - 300 && offset < split + 300);
        Assert.Contains(timeline.Markers, m => m.Kind == "join" && m.UserId == alice.UserId && m.OffsetMs >= split && m.OffsetMs < split + 300);
    }
}
