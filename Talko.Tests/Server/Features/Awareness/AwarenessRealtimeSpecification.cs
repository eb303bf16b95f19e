using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Awareness;
using Talko.Server.Features.Awareness;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Awareness;

/// <summary>
/// Awareness end to end through the hub: a user connected to one instance, a watcher (a co-member)
/// and an outsider connected to another. Run with two instances sharing Redis, and embedded (one
/// instance playing both parts).
/// </summary>
public abstract class AwarenessRealtimeSpecification : IAsyncLifetime
{
    private protected readonly TestAudience Audience = new();
    private protected readonly CodeCapture Codes = new();

    /// <summary>The instance the observed user connects to.</summary>
    private protected TalkoHost UserHost { get; set; } = null!;

    /// <summary>The instance the watcher and the outsider connect to.</summary>
    private protected TalkoHost WatcherHost { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task A_watcher_sees_a_member_come_online_type_stop_typing_by_expiry_change_activity_and_leave()
    {
        var (alice, bob, carol, conversation) = await PeopleAsync();
        await using var watcher = await AwarenessTestKit.ConnectAsync(WatcherHost, bob);
        await using var outsider = await AwarenessTestKit.ConnectAsync(WatcherHost, carol);
        var device = await AwarenessTestKit.ConnectAsync(UserHost, alice);

        var online = await watcher.NextAboutAsync(alice.UserId);
        await device.Connection.InvokeAsync("SetTyping", conversation).WaitAsync(TestTimeouts.Default);
        var typing = await watcher.NextAboutAsync(alice.UserId);
        var stoppedTyping = await watcher.NextAboutAsync(alice.UserId);
        var callId = Guid.NewGuid();
        Audience.AddCall(conversation, callId, alice.UserId);
        var call = new ActivityView(ActivityKind.InCall, conversation, callId.ToString(), Muted: true, Talking: false, PositionMs: null);
        await device.Connection.InvokeAsync("SetActivity", call).WaitAsync(TestTimeouts.Default);
        var inCall = await watcher.NextAboutAsync(alice.UserId);
        await device.Connection.InvokeAsync("SetStatus", "driving").WaitAsync(TestTimeouts.Default);
        var status = await watcher.NextAboutAsync(alice.UserId);
        await device.DisposeAsync();
        var offline = await watcher.NextAboutAsync(alice.UserId);

        Assert.Equal(Presence.Online, online.Presence);
        Assert.Equal(ActivityKind.None, online.Activity.Kind);
        Assert.Equal((ActivityKind.Typing, conversation), (typing.Activity.Kind, typing.Activity.ConversationId));
        Assert.Equal((ActivityKind.Viewing, conversation), (stoppedTyping.Activity.Kind, stoppedTyping.Activity.ConversationId));
        Assert.Equal(call, inCall.Activity);
        Assert.Equal("driving", status.StatusText);
        Assert.Equal(new AwarenessView(alice.UserId, Presence.Offline, ActivityView.From(Activity.None), null), offline);

        // Exactly those changes, once each; the outsider heard nothing about alice.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(6, watcher.All.Count(v => v.UserId == alice.UserId));
        Assert.DoesNotContain(outsider.All, v => v.UserId == alice.UserId);
    }

    [Fact]
    public async Task Snapshots_over_rest_and_the_hub_are_for_members_only()
    {
        var (alice, bob, carol, conversation) = await PeopleAsync();
        await using var device = await AwarenessTestKit.ConnectAsync(UserHost, alice);
        await using var outsider = await AwarenessTestKit.ConnectAsync(WatcherHost, carol);
        await using var watcher = await AwarenessTestKit.ConnectAsync(WatcherHost, bob);
        await device.Connection.InvokeAsync("SetActivity", new ActivityView(ActivityKind.Viewing, conversation, null, false, false, null)).WaitAsync(TestTimeouts.Default);

        var fromHub = await watcher.Connection.InvokeAsync<List<AwarenessView>>("GetAwareness", conversation).WaitAsync(TestTimeouts.Default);
        using var http = WatcherHost.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bob.AccessToken);
        var fromRest = await http.GetFromJsonAsync<List<AwarenessView>>($"/v1/conversations/{conversation}/awareness", AwarenessTestKit.Json).WaitAsync(TestTimeouts.Default);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", carol.AccessToken);
        var forOutsider = await http.GetAsync($"/v1/conversations/{conversation}/awareness").WaitAsync(TestTimeouts.Default);
        var outsiderHub = await Assert.ThrowsAsync<HubException>(() => outsider.Connection.InvokeAsync<List<AwarenessView>>("GetAwareness", conversation).WaitAsync(TestTimeouts.Default));
        var outsiderActivity = await Assert.ThrowsAsync<HubException>(() => outsider.Connection.InvokeAsync("SetTyping", conversation).WaitAsync(TestTimeouts.Default));

        var aliceView = Assert.Single(fromHub!, v => v.UserId == alice.UserId);
        Assert.Equal((Presence.Online, ActivityKind.Viewing), (aliceView.Presence, aliceView.Activity.Kind));
        Assert.Equal(fromHub!.OrderBy(v => v.UserId), fromRest!.OrderBy(v => v.UserId));
        Assert.Equal(2, fromRest!.Count);
        Assert.Equal(HttpStatusCode.NotFound, forOutsider.StatusCode);
        Assert.Contains("Not a member", outsiderHub.Message, StringComparison.Ordinal);
        Assert.Contains("Not a member", outsiderActivity.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_hub_error_and_the_connection_lives_on()
    {
        var (alice, _, _, conversation) = await PeopleAsync();
        await using var device = await AwarenessTestKit.ConnectAsync(UserHost, alice);

        var tooLong = await Assert.ThrowsAsync<HubException>(() => device.Connection.InvokeAsync("SetStatus", new string('x', 500)).WaitAsync(TestTimeouts.Default));
        var noPosition = await Assert.ThrowsAsync<HubException>(() => device.Connection.InvokeAsync("SetActivity", new ActivityView(ActivityKind.Listening, conversation, "call", false, false, null)).WaitAsync(TestTimeouts.Default));
        await device.Connection.InvokeAsync("Heartbeat", 0).WaitAsync(TestTimeouts.Default);

        Assert.Contains("statusText", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("positionMs", noPosition.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, device.Connection.State);
    }

    [Fact]
    public async Task Nobody_can_claim_to_be_in_a_call_that_is_not_there_or_that_they_are_not_in()
    {
        var (alice, bob, _, conversation) = await PeopleAsync();
        var bobsCall = Guid.NewGuid();
        Audience.AddCall(conversation, bobsCall, bob.UserId);
        var elsewhere = Guid.NewGuid().ToString();
        var callElsewhere = Guid.NewGuid();
        Audience.Add(elsewhere, bob.UserId);
        Audience.AddCall(elsewhere, callElsewhere, bob.UserId);
        await using var watcher = await AwarenessTestKit.ConnectAsync(WatcherHost, bob);
        await using var device = await AwarenessTestKit.ConnectAsync(UserHost, alice);
        await watcher.NextAboutAsync(alice.UserId);

        var made_up = await Assert.ThrowsAsync<HubException>(() => device.Connection.InvokeAsync("SetActivity",
            new ActivityView(ActivityKind.InCall, conversation, Guid.NewGuid().ToString(), false, true, null)).WaitAsync(TestTimeouts.Default));
        var notIn = await Assert.ThrowsAsync<HubException>(() => device.Connection.InvokeAsync("SetActivity",
            new ActivityView(ActivityKind.InCall, conversation, bobsCall.ToString(), false, true, null)).WaitAsync(TestTimeouts.Default));
        var foreignCall = await Assert.ThrowsAsync<HubException>(() => device.Connection.InvokeAsync("SetActivity",
            new ActivityView(ActivityKind.Listening, conversation, callElsewhere.ToString(), false, false, 1000)).WaitAsync(TestTimeouts.Default));
        // Listening to a call of the conversation is fine without having been in it.
        await device.Connection.InvokeAsync("SetActivity", new ActivityView(ActivityKind.Listening, conversation, bobsCall.ToString(), false, false, 1000)).WaitAsync(TestTimeouts.Default);
        var listening = await watcher.NextAboutAsync(alice.UserId);

        Assert.Contains("No such call", made_up.Message, StringComparison.Ordinal);
        Assert.Contains("not in that call", notIn.Message, StringComparison.Ordinal);
        Assert.Contains("No such call", foreignCall.Message, StringComparison.Ordinal);
        Assert.Equal((ActivityKind.Listening, bobsCall.ToString()), (listening.Activity.Kind, listening.Activity.CallId));
        // The refused claims never reached the watcher: the only change it saw was the listening one.
        Assert.DoesNotContain(watcher.All, v => v.UserId == alice.UserId && v.Activity.Kind == ActivityKind.InCall);
    }

    /// <summary>Alice and Bob share a conversation; Carol shares none with them.</summary>
    private protected async Task<(TestUser Alice, TestUser Bob, TestUser Carol, string Conversation)> PeopleAsync()
    {
        using var client = WatcherHost.CreateClient();
        var alice = await AwarenessTestKit.SignUpAsync(client, Codes, "alice");
        var bob = await AwarenessTestKit.SignUpAsync(client, Codes, "bob");
        var carol = await AwarenessTestKit.SignUpAsync(client, Codes, "carol");
        var conversation = Guid.NewGuid().ToString();
        Audience.Add(conversation, alice.UserId, bob.UserId);
        Audience.Add(Guid.NewGuid().ToString(), carol.UserId);
        return (alice, bob, carol, conversation);
    }
}
