using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Awareness;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Awareness;
using Talko.Server.Features.Calls;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Notifications.InApp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Trust;

/// <summary>
/// Writes that name something besides their conversation only reach what the caller may touch: a call referenced by an
/// item, tag, flag or bookmark is a call of that conversation, at an offset inside it; a mute is for a conversation the
/// caller is in; awareness says "in a call" only for a call the caller is in. Run embedded and scaled out.
/// </summary>
public abstract class MembershipBoundWritesSpecification : IAsyncLifetime
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"trust-{Guid.NewGuid():N}");

    protected TalkoHost Host { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Host = new TalkoHost(Options() with { Settings = CallsTestKit.InstanceSettings(shared, FreePort.Find()) });
        Host.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        TestDirectory.Delete(shared);
    }

    protected abstract TalkoHostOptions Options();

    [Fact]
    public async Task Items_tags_flags_and_bookmarks_refuse_another_conversations_call_a_made_up_call_and_an_offset_past_the_end()
    {
        var (alice, here, callHere, callThere) = await TwoConversationsWithLiveCallsAsync();
        using var _ = alice;

        foreach (var (callId, offset, status) in new (Guid, long?, HttpStatusCode)[]
        {
            (callThere.Id, null, HttpStatusCode.NotFound),
            (Guid.NewGuid(), null, HttpStatusCode.NotFound),
            (callHere.Id, long.MaxValue, HttpStatusCode.BadRequest),
            (callHere.Id, (long)TimeSpan.FromHours(1).TotalMilliseconds, HttpStatusCode.BadRequest),
            (callHere.Id, -1, HttpStatusCode.BadRequest),
        })
        {
            var what = $"call {(callId == callThere.Id ? "of another conversation" : callId == callHere.Id ? "here" : "made up")} at {offset}";
            foreach (var response in await WriteEverythingAsync(alice.Client, here.Id, callId, offset))
            {
                Assert.True(response.StatusCode == status, $"{response.RequestMessage!.RequestUri}: {what}: expected {(int)status}, got {(int)response.StatusCode}");
            }
        }

        // Nothing of that reached the other call's timeline.
        var otherTimeline = await alice.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/calls/{callThere.Id}/timeline", TalkoJson.Options).WaitAsync(TestTimeouts.Default);
        Assert.DoesNotContain("sneaked", otherTimeline.GetRawText(), StringComparison.Ordinal);

        // A call of this conversation at a moment inside it is accepted by every kind of write.
        foreach (var response in await WriteEverythingAsync(alice.Client, here.Id, callHere.Id, 0))
        {
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Only_a_conversation_the_caller_is_in_can_be_muted()
    {
        using var alice = await Host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await Host.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var bobsGroup = await bob.Client.CreateGroupAsync("Bob's");
        var bobsConversation = await bob.Client.CreateConversationAsync(bobsGroup.Id, "Private");
        var alicesGroup = await alice.Client.CreateGroupAsync("Alice's");
        var alicesConversation = await alice.Client.CreateConversationAsync(alicesGroup.Id, "Mine");

        var request = new NotificationsApi.MuteRequest(null);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Client.PutAsJsonAsync($"/v1/notifications/mutes/{bobsConversation.Id}", request).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Client.PutAsJsonAsync($"/v1/notifications/mutes/{Guid.NewGuid()}", request).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.PutAsJsonAsync($"/v1/notifications/mutes/{alicesConversation.Id}", request).WaitAsync(TestTimeouts.Default)).StatusCode);

        var mutes = await alice.Client.GetFromJsonAsync<List<NotificationsApi.MuteView>>("/v1/notifications/mutes", TalkoJson.Options).WaitAsync(TestTimeouts.Default);
        Assert.Equal([alicesConversation.Id], mutes!.Select(m => m.ConversationId));
    }

    [Fact]
    public async Task Awareness_shows_in_a_call_only_for_a_call_of_that_conversation_the_caller_is_in()
    {
        var (alice, here, callHere, callThere) = await TwoConversationsWithLiveCallsAsync();
        using var _ = alice;
        await using var hub = Host.CreateHubConnection(alice);
        await hub.StartAndWaitUntilReadyAsync();

        Task SetAsync(ActivityKind kind, Guid conversation, Guid call) =>
            hub.InvokeAsync("SetActivity", new ActivityView(kind, conversation.ToString(), call.ToString(), false, true, kind == ActivityKind.Listening ? 0 : null)).WaitAsync(TestTimeouts.Default);

        Assert.Contains("not in that call", (await Assert.ThrowsAsync<HubException>(() => SetAsync(ActivityKind.InCall, here.Id, callHere.Id))).Message, StringComparison.Ordinal);
        Assert.Contains("No such call", (await Assert.ThrowsAsync<HubException>(() => SetAsync(ActivityKind.InCall, here.Id, callThere.Id))).Message, StringComparison.Ordinal);
        Assert.Contains("No such call", (await Assert.ThrowsAsync<HubException>(() => SetAsync(ActivityKind.Listening, here.Id, Guid.NewGuid()))).Message, StringComparison.Ordinal);
        await SetAsync(ActivityKind.Listening, here.Id, callHere.Id);

        // With a leg in the call (as a SIP phone's join records it), "in the call" is accepted.
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            db.Add(new CallParticipant
            {
                Id = Guid.NewGuid(), CallId = callHere.Id, UserId = alice.UserId, DeviceId = alice.DeviceId, LegId = $"leg-{Guid.NewGuid():N}",
                InstanceId = Host.Options.InstanceId, JoinedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync().WaitAsync(TestTimeouts.Default);
        }

        await SetAsync(ActivityKind.InCall, here.Id, callHere.Id);
        Assert.Equal(HubConnectionState.Connected, hub.State);
    }

    /// <summary>Alice with two conversations in one group, each with a live call she started (and has no leg in).</summary>
    private async Task<(TestUser Alice, ConversationView Here, CallView CallHere, CallView CallThere)> TwoConversationsWithLiveCallsAsync()
    {
        var alice = await Host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var here = await alice.Client.CreateConversationAsync(group.Id, "Here");
        var there = await alice.Client.CreateConversationAsync(group.Id, "There");
        var callHere = await alice.Client.StartCallAsync(here.Id).WaitAsync(TestTimeouts.Default);
        var callThere = await alice.Client.StartCallAsync(there.Id).WaitAsync(TestTimeouts.Default);
        return (alice, here, callHere, callThere);
    }

    /// <summary>A text, a tag, a flag and a bookmark, each pointing into <paramref name="callId"/> at <paramref name="offset"/>.</summary>
    private static async Task<List<HttpResponseMessage>> WriteEverythingAsync(HttpClient client, Guid conversationId, Guid callId, long? offset) =>
    [
        await client.PostAsJsonAsync($"/v1/conversations/{conversationId}/items", new PostTextRequest(Guid.NewGuid().ToString("N"), "sneaked in", callId, offset)).WaitAsync(TestTimeouts.Default),
        await client.PostAsJsonAsync($"/v1/conversations/{conversationId}/tags", new AddTagRequest("sneaked", null, callId, offset)).WaitAsync(TestTimeouts.Default),
        await client.PostAsJsonAsync($"/v1/conversations/{conversationId}/flags", new AddFlagRequest(null, callId, offset)).WaitAsync(TestTimeouts.Default),
        await client.PostAsJsonAsync($"/v1/conversations/{conversationId}/bookmarks", new AddBookmarkRequest("sneaked", null, callId, offset)).WaitAsync(TestTimeouts.Default),
    ];
}

[Collection(Talko.Tests.Core.Media.Engine.RealtimeMediaCollection.Name)]
public sealed class EmbeddedMembershipBoundWritesTests : MembershipBoundWritesSpecification
{
    protected override TalkoHostOptions Options() => TalkoHostOptions.Embedded();
}

[Collection(Talko.Tests.Core.Media.Engine.RealtimeMediaCollection.Name)]
public sealed class ScaledOutMembershipBoundWritesTests(PostgresFixture postgres, RedisFixture redis)
    : MembershipBoundWritesSpecification, IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    protected override TalkoHostOptions Options() => TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = $"trust-{Guid.NewGuid():N}"[..12] };
}
