using System.Buffers.Binary;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
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
/// Blue/green past the drain's call deadline: the draining instance hands its live call to the other one through
/// the <see cref="ILiveCallMover"/> the drain uses. The participant's client hears <c>callMoved</c> with the new
/// owner's SIP address, rejoins there, audio flows, and the recording goes on in a second segment from the new owner.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class DrainCallMoveTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const double BeforeTone = 1000;
    private const double AfterTone = 1500;
    private readonly CallInstances instances = new(postgres, redis);
    private readonly CapturedLogs logsB = new();
    private TalkoHost a = null!;
    private TalkoHost b = null!;
    private int sipPortA;
    private int sipPortB;

    public Task InitializeAsync()
    {
        (a, sipPortA) = instances.StartHost("move-a");
        (b, sipPortB) = instances.StartHost("move-b", logs: logsB);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task Moving_a_live_call_off_A_gives_it_to_B_tells_the_client_and_the_participant_rejoins_there_with_audio_and_a_second_segment()
    {
        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        using var aliceOnB = b.CreateClient(alice.Tokens.AccessToken);

        // Alice's app is connected to A, the instance about to drain.
        var moved = Channel.CreateUnbounded<CallMovedView>();
        await using var hub = a.CreateHubConnection(alice);
        hub.On<CallMovedView>("callMoved", m => moved.Writer.TryWrite(m));
        await hub.StartAndWaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("move-a", call.OwnerInstanceId);
        var join = await alice.Client.JoinAsync(call.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.EndsWith($":{sipPortA}", join.SipUri);

        // Alice talks on A; her leg would stay longer than the move takes.
        await using var beforePeer = new CallAudioPeer();
        var legAtA = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortA}", call.Id, alice, beforePeer.Port, TimeSpan.FromSeconds(20));
        await CallsTestKit.MediaFlowingAsync(beforePeer, legAtA);
        await beforePeer.TalkAsync(100, n => n < 50 ? BeforeTone : null).WaitAsync(TimeSpan.FromSeconds(10));
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 1, TimeSpan.FromSeconds(10), "Alice in the call on A");

        // B must be in the registry, serving, with its SIP address, for A to have somewhere to move the call.
        var registry = a.Services.GetRequiredService<InstanceRegistry>();
        await TestTimeouts.EventuallyAsync(() => registry.FindAsync("move-b"), d => d is { State: InstanceState.Serving, SipAddress.Length: > 0 },
            TimeSpan.FromSeconds(10), "B serving with SIP in the registry");

        // What the drain does past Talko:Drain:CallDeadline.
        var mover = a.Services.GetRequiredService<ILiveCallMover>();
        var callKey = call.Id.ToString("D", CultureInfo.InvariantCulture);
        Assert.Contains(callKey, mover.LiveCallIds);
        var result = await mover.MoveAwayAsync(callKey, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        var movedAt = DateTime.UtcNow;
        output.WriteLine($"move result: {result}");
        Assert.True(result.Moved, result.Error);
        Assert.Equal("move-b", result.NewOwner);
        Assert.DoesNotContain(callKey, mover.LiveCallIds);
        Assert.Equal("move-b", await b.Services.GetRequiredService<CallOwnership>().FindOwnerAsync(callKey).WaitAsync(TimeSpan.FromSeconds(5)));

        var movedEvent = await moved.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(call.Id, movedEvent.CallId);
        Assert.Equal("move-b", movedEvent.OwnerInstanceId);
        Assert.Equal(CallPlacement.ConferenceUri(call.Id, $"127.0.0.1:{sipPortB}"), movedEvent.SipUri);

        // A hung up Alice's leg there (sipp reports the BYE it did not expect; that is the point).
        var atA = await legAtA.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"leg at A ended {(DateTime.UtcNow - movedAt).TotalSeconds:F1} s after the move: exit {atA.ExitCode}");

        // Alice rejoins where the event said, and B answers: audio flows there.
        var rejoin = await aliceOnB.JoinAsync(call.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("move-b", rejoin.OwnerInstanceId);
        Assert.Equal(movedEvent.SipUri, rejoin.SipUri);
        await using var afterPeer = new CallAudioPeer();
        var legAtB = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortB}", call.Id, alice, afterPeer.Port, TimeSpan.FromSeconds(3));
        await CallsTestKit.MediaFlowingAsync(afterPeer, legAtB);
        await afterPeer.TalkAsync(75, n => n < 50 ? AfterTone : null).WaitAsync(TimeSpan.FromSeconds(10));
        var atB = await legAtB.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(atB.ExitCode == 0, atB.ToString());
        Assert.True(afterPeer.Heard.Length > 8000, $"Alice heard only {afterPeer.Heard.Length} samples from B");

        var gapLine = await TestTimeouts.EventuallyAsync(
            () => Task.FromResult(logsB.Lines.FirstOrDefault(l => l.Contains($"rejoined moved call {call.Id}", StringComparison.Ordinal))),
            l => l is not null, TimeSpan.FromSeconds(10), "B to log the rejoin's audio gap");
        output.WriteLine(gapLine);
        Assert.Contains(alice.UserId.ToString("D"), gapLine!);

        var afterView = await aliceOnB.GetCallAsync(call.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("move-b", afterView.OwnerInstanceId);

        using (var end = await aliceOnB.PostAsync($"/v1/calls/{call.Id}/end", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            end.EnsureSuccessStatusCode();
        }

        // Two segments, A's then B's, back to back; A's has the tone from before the move and B's the one after.
        var timeline = await TestTimeouts.EventuallyAsync(() => aliceOnB.GetTimelineAsync(call.Id),
            t => t.Segments.Count == 2 && t.Segments.All(s => s.State == "Complete"), TimeSpan.FromSeconds(15), "two complete segments");
        output.WriteLine(string.Join("\n", timeline.Segments.Select(s => $"segment {s.Index} {s.InstanceId} base {s.BaseOffsetMs} duration {s.DurationMs}")));
        Assert.Equal(["move-a", "move-b"], timeline.Segments.Select(s => s.InstanceId));
        Assert.Equal(timeline.Segments[0].DurationMs, timeline.Segments[1].BaseOffsetMs);
        Assert.Equal(timeline.Segments.Sum(s => s.DurationMs), timeline.DurationMs);

        var whole = await aliceOnB.GetByteArrayAsync($"/v1/calls/{call.Id}/recording?format=wav").WaitAsync(TimeSpan.FromSeconds(10));
        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(whole.AsSpan(40));
        Assert.Equal(whole.Length - 44, (int)dataLength);
        var pcm = new short[dataLength / 2];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = BinaryPrimitives.ReadInt16LittleEndian(whole.AsSpan(44 + (2 * i)));
        }

        // Every callMoved the client heard (A's hand-over, and B's own when it adopted the call) points at B.
        moved.Writer.TryComplete();
        var allMoved = await moved.Reader.ReadAllAsync().ToListAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"further callMoved events after the first: {allMoved.Count}");
        Assert.All(allMoved, m => Assert.Equal(movedEvent.SipUri, m.SipUri));

        var split = (int)(timeline.Segments[1].BaseOffsetMs * 8);
        Assert.True(CallsTestKit.PeakAmplitude(pcm.AsSpan(0, split), BeforeTone) > 3000, "the tone from before the move is missing from A's segment");
        Assert.True(CallsTestKit.PeakAmplitude(pcm.AsSpan(split), AfterTone) > 3000, "the tone from after the move is missing from B's segment");
        Assert.True(CallsTestKit.PeakAmplitude(pcm.AsSpan(split), BeforeTone) < 500, "A's audio leaked into B's segment");
    }
}
