using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Awareness;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Awareness;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Notifications.InApp;
using Talko.Server.Features.Notifications.Outbox;
using Talko.Server.Features.Notifications.Routing;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;
using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Server.Features.Notifications;

/// <summary>
/// Notifications wired to the features that cause them, on PostgreSQL and Redis with real awareness:
/// texts posted over HTTP, devices connected to the hub, the outbox dispatched to a local APNs.
/// </summary>
public sealed class ConnectedNotificationsTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string PhoneToken = "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000";
    private const string SecondPhoneToken = "1f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201001";
    private readonly FakeApns apns = new();
    private readonly List<IAsyncDisposable> disposables = [];

    // Unique per test: sign-in codes are rate-limited per identifier across the class's shared servers.
    private readonly string bobEmail = $"bob-{Guid.NewGuid():N}@example.com";
    private TalkoHost host = null!;
    private TestUser alice = null!;
    private TestUser bobWeb = null!;
    private TestUser bobPhone = null!;
    private Guid groupId;
    private Guid conversationId;

    public async Task InitializeAsync()
    {
        await apns.StartAsync();
        await postgres.ResetAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in disposables)
        {
            await disposable.DisposeAsync();
        }

        alice?.Dispose();
        bobWeb?.Dispose();
        bobPhone?.Dispose();
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await apns.DisposeAsync();
    }

    [Fact]
    public async Task A_new_text_pushes_only_to_the_away_phone_the_web_client_gets_the_realtime_event_and_nothing_is_pushed_while_muted()
    {
        await StartAsync();
        var created = await ListenAsync(bobWeb, NotificationAnnouncer.EventName);

        await alice.Client.PostTextOkAsync(conversationId, "Shall we ship?");
        await DispatchAsync();

        var push = Assert.Single(apns.Accepted);
        Assert.Equal(PhoneToken, push.DeviceToken);
        Assert.Equal("alert", push.Headers["apns-push-type"]);
        Assert.Equal("Alice in Launch", (string?)push.Payload!["aps"]!["alert"]!["title"]);
        Assert.Equal("Shall we ship?", (string?)push.Payload["aps"]!["alert"]!["body"]);
        Assert.Equal(1, (int?)push.Payload["aps"]!["badge"]);
        var live = await created.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal(("item.posted", "Shall we ship?", conversationId), (live.GetProperty("kind").GetString(), live.GetProperty("body").GetString(), live.GetProperty("conversationId").GetGuid()));

        var mute = await bobWeb.Client.PutAsJsonAsync($"/v1/notifications/mutes/{conversationId}", new { until = (DateTime?)null }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NoContent, mute.StatusCode);
        await alice.Client.PostTextOkAsync(conversationId, "quietly");
        await DispatchAsync();

        Assert.Single(apns.Requests);
        var list = await bobWeb.Client.GetFromJsonAsync<JsonElement>("/v1/notifications").WaitAsync(TestTimeouts.Default);
        Assert.Equal(["quietly", "Shall we ship?"], list.GetProperty("items").EnumerateArray().Take(2).Select(e => e.GetProperty("body").GetString()));
    }

    [Fact]
    public async Task A_phone_looking_at_the_conversation_gets_no_push_until_it_goes_idle()
    {
        await StartAsync();
        using var secondPhone = await SignInPhoneAsync(SecondPhoneToken, "Bob's other phone");
        var hub = await ConnectAsync(secondPhone);
        await hub.InvokeAsync("SetActivity", new ActivityView(ActivityKind.Viewing, conversationId.ToString(), null, false, false, null)).WaitAsync(TestTimeouts.Default);

        await alice.Client.PostTextOkAsync(conversationId, "are you there?");
        await DispatchAsync();
        Assert.Equal([PhoneToken], apns.Accepted.Select(r => r.DeviceToken));

        // Idle past AwayAfter: awareness says away, and away devices get the push.
        await hub.InvokeAsync("Heartbeat", (int)TimeSpan.FromHours(1).TotalSeconds).WaitAsync(TestTimeouts.Default);
        await alice.Client.PostTextOkAsync(conversationId, "hello?");
        await DispatchAsync();
        Assert.Equal([PhoneToken, PhoneToken, SecondPhoneToken], apns.Accepted.Select(r => r.DeviceToken).Order());
    }

    [Fact]
    public async Task Ten_texts_in_two_seconds_make_one_push_with_a_count_of_ten()
    {
        await StartAsync(("CoalesceWindow", "00:00:02"));

        for (var i = 1; i <= 10; i++)
        {
            await alice.Client.PostTextOkAsync(conversationId, $"message {i}");
        }

        await TestTimeouts.EventuallyAsync(async () => await DispatchAsync() > 0, TestTimeouts.Default, "the coalesced push to be due");
        await DispatchAsync();

        var push = Assert.Single(apns.Accepted);
        Assert.Equal("10 new messages", (string?)push.Payload!["aps"]!["alert"]!["body"]);
        Assert.Equal(10, (int?)push.Payload["aps"]!["badge"]);
        // One push, but every message has its own unread entry in the in-app list (besides "added to the group").
        var unread = (await bobWeb.Client.GetFromJsonAsync<JsonElement>("/v1/notifications?unread=true").WaitAsync(TestTimeouts.Default)).GetProperty("items").EnumerateArray();
        Assert.Equal(10, unread.Count(e => e.GetProperty("kind").GetString() == "item.posted"));
    }

    [Fact]
    public async Task The_badge_is_the_total_unread_across_conversations_from_the_read_state()
    {
        await StartAsync();
        var other = await alice.Client.CreateConversationAsync(groupId, "Other");
        await alice.Client.PostTextOkAsync(conversationId, "one");
        var two = await alice.Client.PostTextOkAsync(conversationId, "two");
        await alice.Client.PostTextOkAsync(other.Id, "three");
        await DispatchAsync();
        // "one" and "two" were waiting together and became one push with the newer badge.
        Assert.Equal([2, 3], apns.Accepted.Select(r => (int)r.Payload!["aps"]!["badge"]!).Order());

        var read = await bobWeb.Client.PostAsJsonAsync($"/v1/conversations/{conversationId}/read", new MarkReadRequest(two.Seq)).WaitAsync(TestTimeouts.Default);
        Assert.True(read.IsSuccessStatusCode, $"read: {(int)read.StatusCode}");
        await alice.Client.PostTextOkAsync(other.Id, "four");
        await DispatchAsync();
        Assert.Equal(2, (int)apns.Accepted.Last().Payload!["aps"]!["badge"]!);
    }

    [Fact]
    public async Task A_mention_in_a_muted_conversation_still_pushes()
    {
        await StartAsync();
        await bobWeb.Client.PutAsJsonAsync($"/v1/notifications/mutes/{conversationId}", new { until = (DateTime?)null }).WaitAsync(TestTimeouts.Default);

        await alice.Client.PostTextOkAsync(conversationId, "nobody in particular");
        await alice.Client.PostTextOkAsync(conversationId, "@bob please look");
        await DispatchAsync();

        var push = Assert.Single(apns.Accepted);
        Assert.Equal("@bob please look", (string?)push.Payload!["aps"]!["alert"]!["body"]);
        var kinds = (await bobWeb.Client.GetFromJsonAsync<JsonElement>("/v1/notifications").WaitAsync(TestTimeouts.Default))
            .GetProperty("items").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["mention", "item.posted"], kinds.Take(2));
    }

    [Fact]
    public async Task Starting_a_call_through_the_api_rings_the_away_phone()
    {
        await StartAsync();

        var started = await alice.Client.PostAsync($"/v1/conversations/{conversationId}/calls", null).WaitAsync(TestTimeouts.Default);
        Assert.True(started.IsSuccessStatusCode, $"start call: {(int)started.StatusCode}");
        var callId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await DispatchAsync();

        var ring = Assert.Single(apns.Accepted);
        Assert.Equal(PhoneToken, ring.DeviceToken);
        Assert.Equal("voip", ring.Headers["apns-push-type"]);
        Assert.Equal(callId, (string?)ring.Payload!["callId"]);
    }

    [Fact]
    public async Task A_started_call_rings_the_away_phone_with_a_VoIP_push_and_a_rolled_back_one_notifies_nobody()
    {
        await StartAsync();
        var created = await ListenAsync(bobWeb, NotificationAnnouncer.EventName);
        var rolledBackCall = Guid.NewGuid();
        var call = Guid.NewGuid();
        var rowsBefore = await OutboxRowsAsync();

        await StartCallAsync(rolledBackCall, commit: false);
        await StartCallAsync(call, commit: true);
        await DispatchAsync();

        var ring = Assert.Single(apns.Accepted);
        Assert.Equal(PhoneToken, ring.DeviceToken);
        Assert.Equal(("voip", apns.Topic + ".voip", "10"), (ring.Headers["apns-push-type"], ring.Headers["apns-topic"], ring.Headers["apns-priority"]));
        Assert.True(ring.Headers.ContainsKey("apns-expiration"));
        Assert.Null(ring.Payload!["aps"]!["alert"]);
        Assert.Equal(call.ToString("D"), (string?)ring.Payload["callId"]);
        var live = await created.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);
        Assert.Equal(("call.started", "Alice is calling in Launch"), (live.GetProperty("kind").GetString(), live.GetProperty("title").GetString()));

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        Assert.Equal(1, await db.Set<UserNotification>().CountAsync(n => n.Kind == "call.started").WaitAsync(TestTimeouts.Default));
        Assert.Equal(rowsBefore + 1, await OutboxRowsAsync());
        Assert.False(created.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Being_added_to_a_group_or_a_conversation_and_a_bookmark_notify()
    {
        await StartAsync();
        using var carol = await host.SignUpAsync($"carol-{Guid.NewGuid():N}@example.com", "Carol");
        var carolCreated = await ListenAsync(carol, NotificationAnnouncer.EventName);

        await alice.Client.AddMemberAsync(groupId, carol.UserId);
        var response = await alice.Client.PostAsJsonAsync($"/v1/groups/{groupId}/conversations", new CreateConversationRequest("Secret", [carol.UserId], null)).WaitAsync(TestTimeouts.Default);
        var secret = await ConversationsTestExtensions.ReadAsync<Talko.Core.Conversations.ConversationView>(response, HttpStatusCode.Created);
        var item = await alice.Client.PostTextOkAsync(conversationId, "worth keeping");
        var bookmark = await alice.Client.PostAsJsonAsync($"/v1/conversations/{conversationId}/bookmarks", new { itemId = item.Id, note = "the decision" }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.Created, bookmark.StatusCode);

        var carolList = (await carol.Client.GetFromJsonAsync<JsonElement>("/v1/notifications").WaitAsync(TestTimeouts.Default)).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(carolList, e => e.GetProperty("kind").GetString() == "group.added" && e.GetProperty("title").GetString() == "Crew" && e.GetProperty("body").GetString() == "Alice added you to the group");
        Assert.Contains(carolList, e => e.GetProperty("kind").GetString() == "conversation.added" && e.GetProperty("conversationId").GetGuid() == secret.Id);
        // Joining the group put Carol in its open conversation too, without one notification per conversation.
        Assert.DoesNotContain(carolList, e => e.GetProperty("kind").GetString() == "conversation.added" && e.GetProperty("conversationId").GetGuid() == conversationId);
        Assert.Equal("group.added", (await carolCreated.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default)).GetProperty("kind").GetString());

        var bobList = (await bobWeb.Client.GetFromJsonAsync<JsonElement>("/v1/notifications").WaitAsync(TestTimeouts.Default)).GetProperty("items").EnumerateArray().ToList();
        var bookmarked = Assert.Single(bobList, e => e.GetProperty("kind").GetString() == "bookmark");
        Assert.Equal(("Alice bookmarked in Launch", "the decision", item.Id), (bookmarked.GetProperty("title").GetString(), bookmarked.GetProperty("body").GetString(), bookmarked.GetProperty("itemId").GetGuid()));
        Assert.DoesNotContain((await alice.Client.GetFromJsonAsync<JsonElement>("/v1/notifications").WaitAsync(TestTimeouts.Default)).GetProperty("items").EnumerateArray(),
            e => e.GetProperty("kind").GetString() == "bookmark");
    }

    [Fact]
    public async Task A_device_owner_updates_its_push_token_and_nobody_else_can()
    {
        await StartAsync();
        const string newToken = "aaaa0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000";

        Assert.Equal(HttpStatusCode.NotFound, (await alice.Client.PutAsJsonAsync($"/v1/me/devices/{bobPhone.DeviceId}/push-token", new { pushToken = newToken }).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await bobPhone.Client.PutAsJsonAsync($"/v1/me/devices/{bobPhone.DeviceId}/push-token", new { pushToken = "" }).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await bobWeb.Client.PutAsJsonAsync($"/v1/me/devices/{bobWeb.DeviceId}/push-token", new { pushToken = newToken }).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bobPhone.Client.PutAsJsonAsync($"/v1/me/devices/{bobPhone.DeviceId}/push-token", new { pushToken = newToken }).WaitAsync(TestTimeouts.Default)).StatusCode);

        await alice.Client.PostTextOkAsync(conversationId, "new token?");
        await DispatchAsync();
        Assert.Equal([newToken], apns.Accepted.Select(r => r.DeviceToken));

        // The same phone signed in as another device takes the token with it.
        using var again = await SignInPhoneAsync(PhoneToken, "Bob's phone again");
        Assert.Equal(HttpStatusCode.NoContent, (await again.Client.PutAsJsonAsync($"/v1/me/devices/{again.DeviceId}/push-token", new { pushToken = newToken }).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bobPhone.Client.DeleteAsync($"/v1/me/devices/{bobPhone.DeviceId}/push-token").WaitAsync(TestTimeouts.Default)).StatusCode);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var tokens = await db.Set<Device>().AsNoTracking().Where(d => d.PushToken == newToken).Select(d => d.Id).ToListAsync().WaitAsync(TestTimeouts.Default);
        Assert.Equal([again.DeviceId], tokens);
    }

    /// <summary>
    /// One scaled-out instance (manual dispatch); Alice (web) and Bob, with a phone that is not connected
    /// and a web client that is; group "Crew" with the conversation "Launch"; the setup's own pushes cleared.
    /// </summary>
    private async Task StartAsync(params (string Key, string Value)[] settings)
    {
        host = new TalkoHost(TalkoHostOptions.ScaledOut(postgres, redis) with
        {
            Settings = NotificationTestSettings.For(apns, [("DispatcherEnabled", "false"), ("CoalesceWindow", "00:00:00"), .. settings]),
        });
        alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com", "Alice");
        bobPhone = await SignInPhoneAsync(PhoneToken, "Bob's phone", displayName: "Bob");
        bobWeb = await host.SignUpAsync(bobEmail);
        var group = await alice.Client.CreateGroupAsync("Crew");
        groupId = group.Id;
        await alice.Client.AddMemberAsync(groupId, bobWeb.UserId);
        conversationId = (await alice.Client.CreateConversationAsync(groupId, "Launch")).Id;
        await ConnectAsync(bobWeb);
        await DrainAsync();
    }

    private async Task<TestUser> SignInPhoneAsync(string token, string name, string? displayName = null)
    {
        var client = host.CreateClient();
        var verified = await host.VerifyAsync(client, bobEmail, null, new DeviceRegistration(DevicePlatform.Ios, name, token));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", verified.Tokens.AccessToken);
        if (displayName is not null)
        {
            (await client.PatchAsJsonAsync("/v1/me", new UpdateMeRequest(displayName, null)).WaitAsync(TestTimeouts.Default)).EnsureSuccessStatusCode();
        }

        return new TestUser(client, verified.UserId, verified.DeviceId, verified.Tokens, verified.Sip, bobEmail);
    }

    private async Task<HubConnection> ConnectAsync(TestUser user)
    {
        var hub = host.CreateHubConnection(user);
        disposables.Add(hub);
        await hub.StartAndWaitUntilReadyAsync();
        return hub;
    }

    private async Task<Channel<JsonElement>> ListenAsync(TestUser user, string eventName)
    {
        var channel = Channel.CreateUnbounded<JsonElement>();
        var hub = host.CreateHubConnection(user);
        disposables.Add(hub);
        hub.On<JsonElement>(eventName, e => channel.Writer.TryWrite(e));
        await hub.StartAndWaitUntilReadyAsync();
        return channel;
    }

    private async Task StartCallAsync(Guid callId, bool commit)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var notifications = scope.ServiceProvider.GetRequiredService<ConversationNotifications>();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await notifications.CallStartedAsync(db, conversationId, callId, alice.UserId, itemId: null, CancellationToken.None);
            await db.SaveChangesAsync();
            if (commit)
            {
                await transaction.CommitAsync();
            }
            else
            {
                await transaction.RollbackAsync();
            }
        }).WaitAsync(TestTimeouts.Default);
    }

    private async Task<int> OutboxRowsAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<OutboxMessage>().CountAsync().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Sends what the setup caused (Bob's "added to the group" push), then forgets the requests.</summary>
    private async Task DrainAsync()
    {
        await DispatchAsync();
        apns.Requests.Clear();
    }

    private Task<int> DispatchAsync() =>
        host.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default);
}
