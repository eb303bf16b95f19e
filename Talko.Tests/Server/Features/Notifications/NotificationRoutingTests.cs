using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Notifications.InApp;
using Talko.Server.Features.Notifications.Outbox;
using Talko.Server.Features.Notifications.Routing;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;
using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Server.Features.Notifications;

/// <summary>
/// Who gets what when an item is posted: through <see cref="INotificationTrigger"/> (as conversations
/// calls it), the outbox and the APNs provider to a local APNs, and the in-app list over HTTP.
/// </summary>
public sealed class NotificationRoutingTests : IAsyncLifetime
{
    private const string PhoneToken = "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000";
    private readonly FakeApns apns = new();
    private readonly FakePresence presence = new();
    private Guid conversation;
    private TalkoHost host = null!;
    private TestUser alice = null!;
    private TestUser bobWeb = null!;
    private Guid bobId;
    private Guid bobPhone;

    public async Task InitializeAsync()
    {
        await apns.StartAsync();
        host = new TalkoHost(
            TalkoHostOptions.Embedded() with { Settings = NotificationTestSettings.For(apns, ("DispatcherEnabled", "false"), ("CoalesceWindow", "00:00:00")) },
            services => services.AddSingleton<IPresenceLookup>(presence));
        alice = await host.SignUpAsync("alice@example.com");
        var phone = await host.VerifyAsync(host.CreateClient(), "bob@example.com", null, new DeviceRegistration(DevicePlatform.Ios, "Bob's phone", PhoneToken));
        (bobId, bobPhone) = (phone.UserId, phone.DeviceId);
        bobWeb = await host.SignUpAsync("bob@example.com");
        // Bob has the web app open; his phone is in his pocket.
        presence.Devices[bobWeb.DeviceId] = DevicePresence.Connected;
        // A real conversation with both in it: mutes are only accepted for a conversation the user is in.
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bobId);
        conversation = (await alice.Client.CreateConversationAsync(group.Id, "Shipping")).Id;
        await ForgetSetUpNotificationsAsync();
    }

    /// <summary>Being added to the group notified Bob; each test counts only what it posts itself.</summary>
    private async Task ForgetSetUpNotificationsAsync()
    {
        await DispatchAsync();
        apns.Requests.Clear();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        await db.Set<UserNotification>().ExecuteDeleteAsync().WaitAsync(TestTimeouts.Default);
    }

    public async Task DisposeAsync()
    {
        alice.Dispose();
        bobWeb.Dispose();
        await host.DisposeAsync();
        await apns.DisposeAsync();
    }

    [Fact]
    public async Task A_new_text_pushes_only_to_the_away_phone_and_lands_unread_in_the_in_app_list()
    {
        await PostAsync("Shall we ship?");
        await DispatchAsync();

        var push = Assert.Single(apns.Accepted);
        Assert.Equal(PhoneToken, push.DeviceToken);
        Assert.Equal("Shall we ship?", (string?)push.Payload!["aps"]!["alert"]!["body"]);
        Assert.Equal(conversation.ToString("D"), (string?)push.Payload["conversationId"]);

        var list = await ListAsync(bobWeb.Client);
        Assert.Equal(1, list.GetProperty("unreadCount").GetInt32());
        var entry = list.GetProperty("items")[0];
        Assert.False(entry.GetProperty("read").GetBoolean());
        Assert.Equal(0, (await ListAsync(alice.Client)).GetProperty("items").GetArrayLength());

        var read = await bobWeb.Client.PostAsync($"/v1/notifications/{entry.GetProperty("id").GetGuid()}/read", null).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NoContent, read.StatusCode);
        Assert.Equal(0, (await ListAsync(bobWeb.Client)).GetProperty("unreadCount").GetInt32());
    }

    [Fact]
    public async Task Nothing_is_pushed_while_muted_except_a_mention()
    {
        var mute = await bobWeb.Client.PutAsJsonAsync($"/v1/notifications/mutes/{conversation}", new { until = DateTime.UtcNow.AddHours(1) }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NoContent, mute.StatusCode);

        await PostAsync("one");
        await PostAsync("two");
        await DispatchAsync();
        Assert.Empty(apns.Requests);

        await PostAsync("@bob look", mention: true);
        await DispatchAsync();
        var push = Assert.Single(apns.Accepted);
        Assert.Equal("@bob look", (string?)push.Payload!["aps"]!["alert"]!["body"]);

        await bobWeb.Client.DeleteAsync($"/v1/notifications/mutes/{conversation}").WaitAsync(TestTimeouts.Default);
        await PostAsync("four");
        await DispatchAsync();
        Assert.Equal(2, apns.Accepted.Count());
        Assert.Equal(4, (await ListAsync(bobWeb.Client)).GetProperty("unreadCount").GetInt32());
    }

    [Fact]
    public async Task During_do_not_disturb_hours_the_push_is_silent_and_only_updates_the_badge()
    {
        var now = TimeOnly.FromDateTime(DateTime.UtcNow);
        var quiet = await bobWeb.Client.PutAsJsonAsync("/v1/notifications/preferences",
            new { quietFrom = now.AddHours(-1).ToString("HH:mm"), quietUntil = now.AddHours(1).ToString("HH:mm"), timeZone = "UTC" }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);

        await PostAsync("late night question");
        await DispatchAsync();

        var push = Assert.Single(apns.Accepted);
        Assert.Equal("background", push.Headers["apns-push-type"]);
        Assert.Null(push.Payload!["aps"]!["alert"]);
        // The badge is unread conversation items (ConnectedNotificationsTests); this conversation has none stored.
        Assert.Equal(0, (int?)push.Payload["aps"]!["badge"]);
    }

    [Fact]
    public async Task A_phone_whose_token_APNs_calls_unregistered_loses_it_and_gets_nothing_more()
    {
        apns.Script = (_, _) => new FakeAnswer(410, "Unregistered");
        await PostAsync("hello?");
        await DispatchAsync();

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        Assert.Null((await db.Set<Device>().AsNoTracking().SingleAsync(d => d.Id == bobPhone)).PushToken);
        await PostAsync("anyone?");
        await DispatchAsync();
        Assert.Single(apns.Requests);
    }

    [Fact]
    public async Task Bad_list_and_mute_requests_get_validation_problems()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await bobWeb.Client.GetAsync("/v1/notifications?limit=0").WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await bobWeb.Client.PutAsJsonAsync($"/v1/notifications/mutes/{conversation}", new { until = DateTime.UtcNow.AddHours(-1) }).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await bobWeb.Client.PutAsJsonAsync("/v1/notifications/preferences", new { quietFrom = "22:00", quietUntil = "07:00", timeZone = "Mars/Olympus" }).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient().GetAsync("/v1/notifications").WaitAsync(TestTimeouts.Default)).StatusCode);
    }

    private async Task PostAsync(string text, bool mention = false)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var trigger = scope.ServiceProvider.GetRequiredService<INotificationTrigger>();
        var item = new PostedItem(conversation, Guid.NewGuid(), 1, alice.UserId, "text", "Alice in Design", text, mention ? [bobId] : []);
        await trigger.OnItemPostedAsync(db, item, [alice.UserId, bobId]).WaitAsync(TestTimeouts.Default);
        await db.SaveChangesAsync().WaitAsync(TestTimeouts.Default);
    }

    private Task<int> DispatchAsync() =>
        host.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default);

    private static async Task<JsonElement> ListAsync(HttpClient client) =>
        await client.GetFromJsonAsync<JsonElement>("/v1/notifications").WaitAsync(TestTimeouts.Default);
}
