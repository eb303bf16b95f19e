using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Talko.Core.Conversations;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Authorization;

/// <summary>
/// What the matrix calls endpoints on, built once per run mode: a group with an owner (who created its conversation
/// and started its live call), an admin, a member, a member removed from the group, one removed from the conversation
/// only, and a stranger; in the conversation an item by
/// each of owner and member, a photo, a tag, a bookmark and a flag by the member; the member's phone and a
/// notification of theirs; and elsewhere (another group) a conversation with a live call, for references that
/// must not cross conversations. Rows that destroy what they touch ask for fresh resources here.
/// </summary>
public sealed class AuthorizationWorld : IAsyncDisposable
{
    private readonly Dictionary<Actor, TestUser> users;
    private readonly List<TestUser> extras = [];
    private readonly Func<Task<TalkoHost>> spareHost;

    private AuthorizationWorld(TalkoHost host, Dictionary<Actor, TestUser> users, Func<Task<TalkoHost>> spareHost)
    {
        Host = host;
        this.users = users;
        this.spareHost = spareHost;
    }

    public TalkoHost Host { get; }

    public TestUser Owner => users[Actor.Owner];

    public TestUser Member => users[Actor.Member];

    public Guid GroupId { get; private set; }

    public Guid ConversationId { get; private set; }

    /// <summary>A conversation of the group for the owner and the admin only: the member is in the group, not in it.</summary>
    public Guid PrivateConversationId { get; private set; }

    public Guid OwnerItemId { get; private set; }

    public Guid MemberItemId { get; private set; }

    public string PhotoBlobId { get; private set; } = "";

    public Guid CallId { get; private set; }

    /// <summary>A live call in a conversation of another group, which none of the actors is in.</summary>
    public Guid ForeignCallId { get; private set; }

    /// <summary>A text in that other group's conversation.</summary>
    public Guid ForeignItemId { get; private set; }

    /// <summary>The user who owns that other group: registered, but in no group of the world.</summary>
    public Guid OutsiderId { get; private set; }

    /// <summary>The member's second device, an iOS phone (push tokens are for phones only).</summary>
    public Guid MemberPhoneId { get; private set; }

    public Guid MemberNotificationId { get; private set; }

    public string AdminKey => Host.Options.AdminKey;

    public string? TokenOf(Actor actor) => users.TryGetValue(actor, out var user) ? user.Tokens.AccessToken : null;

    public TestUser UserOf(Actor actor) => users[actor];

    public static async Task<AuthorizationWorld> BuildAsync(TalkoHost host, Func<Task<TalkoHost>> spareHost)
    {
        var users = new Dictionary<Actor, TestUser>();
        foreach (var actor in new[] { Actor.Owner, Actor.Admin, Actor.Member, Actor.Removed, Actor.Dropped, Actor.Stranger })
        {
            users[actor] = await host.SignUpAsync(Email(actor.ToString().ToLowerInvariant()), actor.ToString());
        }

        var world = new AuthorizationWorld(host, users, spareHost);
        var owner = world.Owner.Client;
        var group = await owner.CreateGroupAsync("Matrix crew");
        world.GroupId = group.Id;
        await owner.AddMemberAsync(group.Id, users[Actor.Admin].UserId, GroupRole.Admin);
        await owner.AddMemberAsync(group.Id, world.Member.UserId);
        await owner.AddMemberAsync(group.Id, users[Actor.Removed].UserId);
        await owner.AddMemberAsync(group.Id, users[Actor.Dropped].UserId);
        world.ConversationId = (await owner.CreateConversationAsync(group.Id, "Matrix")).Id;
        await ExpectAsync(await owner.DeleteAsync($"/v1/conversations/{world.ConversationId}/members/{users[Actor.Dropped].UserId}").WaitAsync(TestTimeouts.Default), HttpStatusCode.NoContent);
        var picked = await owner.PostAsJsonAsync($"/v1/groups/{group.Id}/conversations", new { title = "Leads", memberIds = new[] { users[Actor.Admin].UserId } }).WaitAsync(TestTimeouts.Default);
        world.PrivateConversationId = (await ReadJsonAsync(picked, HttpStatusCode.Created)).GetProperty("id").GetGuid();
        world.OwnerItemId = (await owner.PostTextOkAsync(world.ConversationId, "hello from the owner")).Id;
        world.MemberItemId = (await world.Member.Client.PostTextOkAsync(world.ConversationId, "hello from a member")).Id;
        var photo = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await owner.UploadAsync($"/v1/conversations/{world.ConversationId}/photos", TestMedia.Png(3, 2), "image/png"), HttpStatusCode.Created);
        world.PhotoBlobId = photo.Media!.BlobId;
        await world.NewTagAsync();
        await world.NewBookmarkAsync();
        await world.NewFlagAsync();

        // Removed from the group, which removes them from its conversations; their token stays valid.
        await ExpectAsync(await owner.DeleteAsync($"/v1/groups/{group.Id}/members/{users[Actor.Removed].UserId}").WaitAsync(TestTimeouts.Default), HttpStatusCode.NoContent);
        world.CallId = await StartCallAsync(owner, world.ConversationId);

        var outsider = await world.NewUserAsync("outsider");
        var elsewhere = await outsider.Client.CreateGroupAsync("Elsewhere");
        var foreign = (await outsider.Client.CreateConversationAsync(elsewhere.Id, "Not yours")).Id;
        world.OutsiderId = outsider.UserId;
        world.ForeignItemId = (await outsider.Client.PostTextOkAsync(foreign, "not for you")).Id;
        world.ForeignCallId = await StartCallAsync(outsider.Client, foreign);

        world.MemberPhoneId = (await world.NewMemberDeviceAsync(DevicePlatform.Ios)).DeviceId;
        await TestTimeouts.EventuallyAsync(async () =>
        {
            var list = await ReadJsonAsync(await world.Member.Client.GetAsync("/v1/notifications").WaitAsync(TestTimeouts.Default), HttpStatusCode.OK);
            var items = list.GetProperty("items");
            if (items.GetArrayLength() == 0)
            {
                return false;
            }

            world.MemberNotificationId = items[0].GetProperty("id").GetGuid();
            return true;
        }, TestTimeouts.Default, "the member's first notification (added to the group)");
        return world;
    }

    /// <summary>Another instance of the deployment, for rows that would change the main one for good (drain).</summary>
    public Task<TalkoHost> SpareHostAsync() => spareHost();

    public async Task<TestUser> NewUserAsync(string label)
    {
        var user = await Host.SignUpAsync(Email(label));
        extras.Add(user);
        return user;
    }

    /// <summary>A new user the owner added to the group (so also to its whole-group conversations), as a plain member unless told.</summary>
    public async Task<TestUser> NewGroupMemberAsync(GroupRole role = GroupRole.Member)
    {
        var user = await NewUserAsync("joiner");
        await Owner.Client.AddMemberAsync(GroupId, user.UserId, role);
        return user;
    }

    /// <summary>A new conversation of the group started by the owner, for the whole group.</summary>
    public async Task<Guid> NewConversationAsync() => (await Owner.Client.CreateConversationAsync(GroupId, "Spare")).Id;

    /// <summary>A live call started by the owner in a new conversation of the group.</summary>
    public async Task<Guid> NewCallAsync() => await StartCallAsync(Owner.Client, await NewConversationAsync());

    public async Task<Guid> NewMemberItemAsync() => (await Member.Client.PostTextOkAsync(ConversationId, "one more")).Id;

    /// <summary>A tag on the conversation, by the member (or by <paramref name="by"/>).</summary>
    public Task<Guid> NewTagAsync(TestUser? by = null) => CreateAsync(by ?? Member, "tags", new { tag = "matrix" });

    public Task<Guid> NewBookmarkAsync(TestUser? by = null) => CreateAsync(by ?? Member, "bookmarks", new { note = "look", itemId = MemberItemId });

    /// <summary>A flag of the member's (flags are private to whoever set them).</summary>
    public Task<Guid> NewFlagAsync() => CreateAsync(Member, "flags", new { itemId = MemberItemId });

    /// <summary>The member signs in on one more device; returns that device's session.</summary>
    public async Task<TestUser> NewMemberDeviceAsync(DevicePlatform platform = DevicePlatform.Web)
    {
        var device = await Host.SignUpAsync(Member.Identifier, platform: platform, deviceName: $"{platform} {extras.Count}");
        extras.Add(device);
        return device;
    }

    /// <summary>A verified email address added to the member's account; returns its id.</summary>
    public async Task<Guid> NewMemberIdentifierAsync()
    {
        var email = Email("extra");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/me/identifiers") { Content = JsonContent.Create(new StartRequest(email, null)) };
        await ExpectAsync(await Member.Client.SendAsync(request).WaitAsync(TestTimeouts.Default), HttpStatusCode.Accepted);
        var verify = await Member.Client.PostAsJsonAsync("/v1/me/identifiers/verify", new AddIdentifierVerifyRequest(email, null, CodeFor(email))).WaitAsync(TestTimeouts.Default);
        return (await ReadJsonAsync(verify, HttpStatusCode.OK)).GetProperty("id").GetGuid();
    }

    /// <summary>The last code sent to <paramref name="identifier"/> (codes are captured, not delivered).</summary>
    public string CodeFor(string identifier) => Host.Codes().LastCodeFor(AccountsTestExtensions.Normalize(identifier));

    public static string Email(string label) => $"{label}-{Guid.NewGuid():N}@example.com";

    public async ValueTask DisposeAsync()
    {
        foreach (var user in users.Values.Concat(extras))
        {
            user.Dispose();
        }

        await Task.CompletedTask;
    }

    private async Task<Guid> CreateAsync(TestUser by, string what, object body)
    {
        var response = await by.Client.PostAsJsonAsync($"/v1/conversations/{ConversationId}/{what}", body).WaitAsync(TestTimeouts.Default);
        return (await ReadJsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> StartCallAsync(HttpClient client, Guid conversationId)
    {
        var response = await client.PostAsync($"/v1/conversations/{conversationId}/calls", null).WaitAsync(TestTimeouts.Default);
        return (await ReadJsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            return await ConversationsTestExtensions.ReadAsync<JsonElement>(response, expected);
        }
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default);
            Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }
}
