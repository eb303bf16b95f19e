using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Awareness;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Drain;
using Talko.Server.Features.Awareness;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Core.Media.WebRtc.Sdp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// A WebRTC leg of a call that moves (a drain) ends at the old owner, gets <c>callMoved</c> and joins again at the new
/// owner. A class of its own: the move picks its target from the instance registry, which must hold only this test's
/// two instances (the other hub tests' instances share a class's Redis and could still be stopping).
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class WebRtcMovedCallTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncDisposable
{
    private readonly CallInstances instances = new(postgres, redis, "webrtc-move");

    [Fact]
    public async Task A_webrtc_leg_of_a_moved_call_rejoins_at_the_new_owner_after_callMoved()
    {
        // Waits far past the relay's timeout (10 s): had A kept the browser's leg until its new one is made, B's adoption
        // (which waits for A's recording segment to close, that is for A's legs to leave) would hold the rejoin until
        // the relay gave up with call_unavailable (ADR 0724).
        void LongWaits(Dictionary<string, string?> settings)
        {
            settings["Talko:Calls:HandoverWait"] = "00:00:30";
            settings["Talko:Drain:CallTransferAnswerTimeout"] = "00:00:30";
            settings["Talko:Drain:CallTransferLeaveWait"] = "00:00:30";
        }

        var logsA = new CapturedLogs();
        var (a, _) = instances.StartHost("webrtc-move-a", LongWaits, logsA);
        var (b, _) = instances.StartHost("webrtc-move-b", LongWaits);
        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        var moved = System.Threading.Channels.Channel.CreateUnbounded<Talko.Server.Features.Calls.CallMovedView>();
        await using var hub = a.CreateHubConnection(alice);
        hub.On<Talko.Server.Features.Calls.CallMovedView>("callMoved", m => moved.Writer.TryWrite(m));
        await hub.StartAndWaitUntilReadyAsync();
        var call = await alice.Client.StartCallAsync(conversation.Id);
        Assert.Equal("webrtc-move-a", call.OwnerInstanceId);
        var before = WebRtcHubCallTests.Fingerprint(await hub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Any(p => p.UserId == alice.UserId), TestTimeouts.Default, "alice in the call on A");
        var registry = a.Services.GetRequiredService<InstanceRegistry>();
        await TestTimeouts.EventuallyAsync(
            async () => await registry.FindAsync("webrtc-move-b") is { State: InstanceState.Serving, SipAddress.Length: > 0 }, TestTimeouts.Default, "B serving");

        var moving = a.Services.GetRequiredService<ILiveCallMover>().MoveAwayAsync(call.Id.ToString("D"), CancellationToken.None);
        var movedEvent = await moved.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal("webrtc-move-b", movedEvent.OwnerInstanceId);
        var after = WebRtcHubCallTests.Fingerprint(await hub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
        Assert.NotEqual(before, after);
        var result = await moving.WaitAsync(TestTimeouts.Long);
        Assert.True(result.Moved, result.Error);
        Assert.Contains(logsA.Lines, l => l.Contains($"of moved call {call.Id} handed to", StringComparison.Ordinal) && l.Contains(": Left", StringComparison.Ordinal));
        Assert.Contains(logsA.Lines, l => l.Contains($"of moved call {call.Id} ended here", StringComparison.Ordinal));

        var id = new CallId(call.Id);
        await TestTimeouts.EventuallyAsync(
            () => Task.FromResult(a.Services.GetRequiredService<IConferenceControl>().LegsOf(id).Count == 0
                && b.Services.GetRequiredService<IConferenceControl>().LegsOf(id).Count == 1),
            TestTimeouts.Default, "the leg on B only");
        await hub.InvokeAsync("LeaveCall", call.Id);
        await TestTimeouts.EventuallyAsync(
            () => Task.FromResult(b.Services.GetRequiredService<IConferenceControl>().LegsOf(id).Count == 0), TestTimeouts.Default, "the leg on B to leave");
    }

    public async ValueTask DisposeAsync() => await instances.DisposeAsync();
}
