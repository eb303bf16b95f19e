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
/// The hub's call methods (ADR 0721) follow the REST join's rules: a non-member is told the call does not exist, a
/// member's offer is checked before any media is set up, a call that ended cannot be joined, and leaving or muting
/// without a leg is refused. Each refusal is a hub error whose message starts with a stable code. A WebRTC leg is a
/// participant and an in-call awareness connection of its user (muted with SetCallMuted) and ends with its hub connection.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class WebRtcHubCallTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncDisposable
{
    private readonly CallInstances instances = new(postgres, redis, "webrtc-hub");

    [Fact]
    public async Task Non_members_are_refused_and_members_offers_and_leaves_are_checked()
    {
        var (host, _) = instances.StartHost("webrtc-hub");
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var carol = await host.SignUpAsync($"carol-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Standup");
        var call = await alice.Client.StartCallAsync(conversation.Id);

        await using var carolHub = host.CreateHubConnection(carol);
        await carolHub.StartAndWaitUntilReadyAsync();
        await AssertRefusedAsync("call_not_found", carolHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
        await AssertRefusedAsync("call_not_found", carolHub.InvokeAsync("LeaveCall", call.Id));
        await AssertRefusedAsync("call_not_found", carolHub.InvokeAsync("SetCallMuted", call.Id, true));
        await AssertRefusedAsync("call_not_found", carolHub.InvokeAsync<string>("JoinCall", Guid.NewGuid(), WebRtcSdpTests.BrowserOffer()));

        await using var aliceHub = host.CreateHubConnection(alice);
        await aliceHub.StartAndWaitUntilReadyAsync();
        var withVideo = WebRtcSdpTests.BrowserOffer() + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n";
        await AssertRefusedAsync("sdp_one_audio_line", aliceHub.InvokeAsync<string>("JoinCall", call.Id, withVideo));
        await AssertRefusedAsync("sdp_too_large", aliceHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer() + new string('x', 20_000)));
        await AssertRefusedAsync("not_in_call", aliceHub.InvokeAsync("LeaveCall", call.Id));
        await AssertRefusedAsync("not_in_call", aliceHub.InvokeAsync("SetCallMuted", call.Id, true));

        // A member's valid offer is answered; the leg is hers: a participant, in the call in awareness, muted when she mutes.
        var answer = await aliceHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer());
        Assert.Contains("a=ice-lite", answer, StringComparison.Ordinal);
        Assert.Contains("a=setup:passive", answer, StringComparison.Ordinal);
        await AssertRefusedAsync("call_join_refused", aliceHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Any(p => p.UserId == alice.UserId), TestTimeouts.Default, "alice's WebRTC leg as a participant");
        await aliceHub.InvokeAsync("SetCallMuted", call.Id, true);
        await TestTimeouts.EventuallyAsync(
            async () => (await aliceHub.InvokeAsync<List<AwarenessView>>("GetAwareness", conversation.Id.ToString()))
                .Any(a => a.UserId == alice.UserId.ToString() && a.Activity is { Kind: ActivityKind.InCall, Muted: true }),
            TestTimeouts.Default, "alice in the call and muted in awareness");
        await aliceHub.InvokeAsync("LeaveCall", call.Id);
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Count == 0, TestTimeouts.Default, "alice to leave");

        // A leg ends with the hub connection that made it.
        await aliceHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer());
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Count == 1, TestTimeouts.Default, "alice back in the call");
        await aliceHub.StopAsync();
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Count == 0, TestTimeouts.Default, "alice's leg to end with her hub connection");

        (await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null)).EnsureSuccessStatusCode();
        await using var again = host.CreateHubConnection(alice);
        await again.StartAndWaitUntilReadyAsync();
        await AssertRefusedAsync("call_ended", again.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
    }

    /// <summary>
    /// ADR 0724: bob's hub connection is on an instance that does not own the call. His join is relayed to the owner,
    /// whose answer (its certificate's fingerprint, its media candidate) he gets, so media goes straight to the owner;
    /// the leg follows the local join's rules, is his awareness connection (muted when he mutes over the other instance),
    /// and ends when he leaves or his hub connection on the other instance closes.
    /// </summary>
    [Fact]
    public async Task A_join_on_an_instance_that_does_not_own_the_call_is_made_on_the_owner()
    {
        var (owner, ownerSip) = instances.StartHost("webrtc-owner");
        var (other, _) = instances.StartHost("webrtc-other");
        using var alice = await owner.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await other.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        using var carol = await other.SignUpAsync($"carol-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Standup");
        var call = await alice.Client.StartCallAsync(conversation.Id);
        Assert.EndsWith($":{ownerSip}", (await alice.Client.JoinAsync(call.Id)).SipUri, StringComparison.Ordinal);

        // The other instance's own certificate, from a call it owns itself.
        var otherCall = await bob.Client.StartCallAsync((await alice.Client.CreateConversationAsync(group.Id, "Retro")).Id);
        await using var bobHub = other.CreateHubConnection(bob);
        await bobHub.StartAndWaitUntilReadyAsync();
        var otherFingerprint = Fingerprint(await bobHub.InvokeAsync<string>("JoinCall", otherCall.Id, WebRtcSdpTests.BrowserOffer()));
        await bobHub.InvokeAsync("LeaveCall", otherCall.Id);

        await using var aliceHub = owner.CreateHubConnection(alice);
        await aliceHub.StartAndWaitUntilReadyAsync();
        var ownerFingerprint = Fingerprint(await aliceHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
        Assert.NotEqual(otherFingerprint, ownerFingerprint);

        await using var carolHub = other.CreateHubConnection(carol);
        await carolHub.StartAndWaitUntilReadyAsync();
        await AssertRefusedAsync("call_not_found", carolHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
        await AssertRefusedAsync("not_in_call", bobHub.InvokeAsync("LeaveCall", call.Id));
        await AssertRefusedAsync("not_in_call", bobHub.InvokeAsync("SetCallMuted", call.Id, true));
        await AssertRefusedAsync("sdp_too_large", bobHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer() + new string('x', 20_000)));

        var answer = await bobHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer());
        Assert.Equal(ownerFingerprint, Fingerprint(answer));
        Assert.Contains("a=ice-lite", answer, StringComparison.Ordinal);
        await AssertRefusedAsync("call_join_refused", bobHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()));
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Any(p => p.UserId == bob.UserId), TestTimeouts.Default, "bob's relayed leg as a participant");

        await bobHub.InvokeAsync("SetCallMuted", call.Id, true);
        await TestTimeouts.EventuallyAsync(
            async () => (await aliceHub.InvokeAsync<List<AwarenessView>>("GetAwareness", conversation.Id.ToString()))
                .Any(a => a.UserId == bob.UserId.ToString() && a.Activity is { Kind: ActivityKind.InCall, Muted: true }),
            TestTimeouts.Default, "bob in the call and muted in awareness");
        await bobHub.InvokeAsync("LeaveCall", call.Id);
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.All(p => p.UserId != bob.UserId), TestTimeouts.Default, "bob to leave");

        // The leg on the owner ends with the hub connection on the other instance.
        await bobHub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer());
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Any(p => p.UserId == bob.UserId), TestTimeouts.Default, "bob back in the call");
        await bobHub.StopAsync();
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.All(p => p.UserId != bob.UserId), TestTimeouts.Default, "bob's leg to end with his hub connection");
    }

    /// <summary>
    /// Muting shows in awareness at once, not at the owner's next heartbeat: here the heartbeat (and the leases it
    /// renews) is set so far apart that only the mute itself can show it.
    /// </summary>
    [Fact]
    public async Task A_mute_shows_in_awareness_without_waiting_for_the_owners_heartbeat()
    {
        var (host, _) = instances.StartHost("webrtc-mute", settings =>
        {
            settings["Talko:Calls:RenewInterval"] = "00:10:00";
            settings["Talko:Calls:Ownership:ClaimTimeToLive"] = "00:30:00";
            settings["Talko:Awareness:DeviceTimeout"] = "00:30:00";
            settings["Talko:Awareness:ConnectionLease"] = "00:30:00";
        });
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Standup");
        var call = await alice.Client.StartCallAsync(conversation.Id);
        await using var hub = host.CreateHubConnection(alice);
        await hub.StartAndWaitUntilReadyAsync();
        await hub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer());

        async Task<bool> InCallAsync(bool muted) =>
            (await hub.InvokeAsync<List<AwarenessView>>("GetAwareness", conversation.Id.ToString()))
                .Any(a => a.UserId == alice.UserId.ToString() && a.Activity is { Kind: ActivityKind.InCall } activity && activity.Muted == muted);

        await TestTimeouts.EventuallyAsync(() => InCallAsync(muted: false), TestTimeouts.Default, "alice in the call");
        await hub.InvokeAsync("SetCallMuted", call.Id, true);
        await TestTimeouts.EventuallyAsync(() => InCallAsync(muted: true), TestTimeouts.Default, "alice muted in awareness");
        await hub.InvokeAsync("SetCallMuted", call.Id, false);
        await TestTimeouts.EventuallyAsync(() => InCallAsync(muted: false), TestTimeouts.Default, "alice unmuted in awareness");
    }

    /// <summary>
    /// Blue/green for WebRTC legs (ADR 0724): the owner moves the call away; the client, told <c>callMoved</c>, joins
    /// again over the same hub connection (still on the old owner) and gets the new owner's answer; its old leg ends
    /// once the new one is made (the hand-over sees it leave rather than hanging it up), and leave reaches the new leg.
    /// </summary>
    public async ValueTask DisposeAsync() => await instances.DisposeAsync();

    internal static string Fingerprint(string sdp) => sdp.Split("\r\n").Single(line => line.StartsWith("a=fingerprint:", StringComparison.Ordinal));

    private static async Task AssertRefusedAsync(string code, Task invocation)
    {
        var refused = await Assert.ThrowsAsync<HubException>(() => invocation.WaitAsync(TestTimeouts.Default));
        Assert.StartsWith(code + ":", refused.Message.Split("HubException: ").Last(), StringComparison.Ordinal);
    }
}
