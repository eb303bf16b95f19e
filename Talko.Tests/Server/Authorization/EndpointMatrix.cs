using System.Text.Json;
using Talko.Core.Conversations;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Tests.Infrastructure;
using static Talko.Tests.Server.Authorization.Expectation;
using static Talko.Tests.Server.Authorization.RowCall;

namespace Talko.Tests.Server.Authorization;

/// <summary>
/// Who may call which endpoint: one row per (method, path template) of /openapi/v1.json, checked by
/// <see cref="AuthorizationMatrixSpecification"/> on both run modes. A new endpoint without a row fails the suite.
/// <para>
/// To add an endpoint: add a row with the method and template exactly as the OpenAPI document spells them; build a
/// valid request from the world (<see cref="AuthorizationWorld"/>: ids of the group, conversation, items, call...)
/// so that the only reason for a refusal is who calls; pick the expectation by whose resource it is
/// (<see cref="Expectation.InConversation"/> and <see cref="Expectation.InGroup"/> for the conversation's and the group's things, <see cref="Expectation.MembersOwn"/>
/// for a user's own things, <see cref="Expectation.SignedIn"/> for "mine" lists, <see cref="Expectation.Public"/>,
/// <see cref="Expectation.AdminKey"/>) and state role differences with its arguments or <c>With</c>. A row that
/// deletes or spends what it touches makes a fresh resource per call (the <c>New*</c> methods of the world, or
/// <see cref="RowCall.UseFreshUserAsync"/>), so later rows find the world intact. Write the correct expectation even
/// when the server is wrong today, and list it in <see cref="PendingFixes"/> until the fix is merged.
/// </para>
/// </summary>
public static class EndpointMatrix
{
    private const string Conversation = "/v1/conversations/{conversationId}";
    private const string Call = "/v1/calls/{callId}";
    private const string ForeignItem = "an item of another conversation";

    public static IReadOnlyList<EndpointRow> Rows { get; } =
    [
        .. Auth(), .. Me(), .. Notifications(), .. Groups(), .. Conversations(), .. PrivateConversation(), .. Timeline(), .. Annotations(), .. Reading(), .. Calls(), .. Admin(),
    ];

    private static string C(RowCall c) => $"/v1/conversations/{c.World.ConversationId}";

    private static IEnumerable<EndpointRow> Auth()
    {
        yield return new("POST", "/v1/auth/start", Public(202), _ =>
            Task.FromResult(Json("POST", "/v1/auth/start", new StartRequest(AuthorizationWorld.Email("start"), null))));
        yield return new("POST", "/v1/auth/verify", Public(200), async c =>
        {
            var email = AuthorizationWorld.Email("verify");
            using var anonymous = c.World.Host.CreateClient();
            using var start = await anonymous.SendAsync(Json("POST", "/v1/auth/start", new StartRequest(email, null))).WaitAsync(TestTimeouts.Default);
            start.EnsureSuccessStatusCode();
            return Json("POST", "/v1/auth/verify", new VerifyRequest(email, null, c.World.CodeFor(email), new DeviceRegistration(DevicePlatform.Web, "matrix", null)));
        });
        yield return new("POST", "/v1/auth/refresh", Public(200), async c =>
            Json("POST", "/v1/auth/refresh", new RefreshRequest((await c.World.NewUserAsync("refresh")).Tokens.RefreshToken)));
        yield return new("POST", "/v1/auth/logout", SignedIn(204), async c =>
        {
            await c.UseFreshUserAsync();
            return Send("POST", "/v1/auth/logout");
        });
    }

    private static IEnumerable<EndpointRow> Me()
    {
        yield return new("GET", "/v1/me", SignedIn(200), _ => Task.FromResult(Get("/v1/me")));
        yield return new("PATCH", "/v1/me", SignedIn(200), c => Task.FromResult(Json("PATCH", "/v1/me", new UpdateMeRequest(c.Actor.ToString(), null))));
        yield return new("DELETE", "/v1/me", SignedIn(204), async c =>
        {
            await c.UseFreshUserAsync();
            return Send("DELETE", "/v1/me");
        });
        yield return new("GET", "/v1/me/devices", SignedIn(200), _ => Task.FromResult(Get("/v1/me/devices")));
        yield return new("DELETE", "/v1/me/devices/{id}", MembersOwn(204), async c =>
        {
            c.Subject = await c.World.NewMemberDeviceAsync();
            return Send("DELETE", $"/v1/me/devices/{c.Subject.DeviceId}");
        })
        {
            // Finding (issue 13): signing out another user's device answered 404 but revoked that device anyway.
            Verify = async (c, _) =>
            {
                using var device = c.World.Host.CreateClient(c.Subject!.Tokens.AccessToken);
                var status = (int)(await device.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode;
                var expected = c.Actor == Actor.Member ? 401 : 200;
                return status == expected ? null : $"afterwards the member's device gets {status} on GET /v1/me, expected {expected} (it must {(expected == 200 ? "keep working" : "be signed out")})";
            },
        };
        yield return new("GET", "/v1/me/devices/{id}/sip-credentials", MembersOwn(200), c => Task.FromResult(Get($"/v1/me/devices/{c.World.Member.DeviceId}/sip-credentials")));
        yield return new("POST", "/v1/me/devices/{id}/sip-credentials", MembersOwn(200), c => Task.FromResult(Send("POST", $"/v1/me/devices/{c.World.Member.DeviceId}/sip-credentials")));
        yield return new("POST", "/v1/me/identifiers", SignedIn(202), _ =>
            Task.FromResult(Json("POST", "/v1/me/identifiers", new StartRequest(AuthorizationWorld.Email("add"), null))));
        yield return new("POST", "/v1/me/identifiers/verify", SignedIn(200), async c =>
        {
            var email = AuthorizationWorld.Email("added");
            var code = "000000";
            if (c.SignedIn)
            {
                using var caller = c.World.Host.CreateClient(c.Token!);
                using var start = await caller.SendAsync(Json("POST", "/v1/me/identifiers", new StartRequest(email, null))).WaitAsync(TestTimeouts.Default);
                start.EnsureSuccessStatusCode();
                code = c.World.CodeFor(email);
            }

            return Json("POST", "/v1/me/identifiers/verify", new AddIdentifierVerifyRequest(email, null, code));
        });
        yield return new("DELETE", "/v1/me/identifiers/{id}", MembersOwn(204), async c =>
            Send("DELETE", $"/v1/me/identifiers/{(c.SignedIn ? await c.World.NewMemberIdentifierAsync() : Guid.NewGuid())}"));
        yield return new("PUT", "/v1/me/devices/{id}/push-token", MembersOwn(204), c =>
            Task.FromResult(Json("PUT", $"/v1/me/devices/{c.World.MemberPhoneId}/push-token", new { pushToken = $"token-{Guid.NewGuid():N}" })));
        yield return new("DELETE", "/v1/me/devices/{id}/push-token", MembersOwn(204), c => Task.FromResult(Send("DELETE", $"/v1/me/devices/{c.World.MemberPhoneId}/push-token")));
        yield return new("POST", "/v1/contacts/match", SignedIn(200), c =>
            Task.FromResult(Json("POST", "/v1/contacts/match", new ContactMatchRequest(null, [new ContactEntry("1", c.World.Owner.Identifier, null)]))));
    }

    private static IEnumerable<EndpointRow> Notifications()
    {
        yield return new("GET", "/v1/notifications", SignedIn(200), _ => Task.FromResult(Get("/v1/notifications")));
        yield return new("POST", "/v1/notifications/{id}/read", MembersOwn(204), c => Task.FromResult(Send("POST", $"/v1/notifications/{c.World.MemberNotificationId}/read")));
        yield return new("POST", "/v1/notifications/read", SignedIn(200), _ => Task.FromResult(Json("POST", "/v1/notifications/read", new { })));
        yield return new("GET", "/v1/notifications/mutes", SignedIn(200), _ => Task.FromResult(Get("/v1/notifications/mutes")));
        // Finding (issue 13): muting a conversation one is not in, or that does not exist, was accepted.
        yield return new("PUT", "/v1/notifications/mutes/{conversationId}", InConversation(204), c =>
            Task.FromResult(Json("PUT", $"/v1/notifications/mutes/{c.World.ConversationId}", new { until = (DateTime?)null })));
        yield return new("PUT", "/v1/notifications/mutes/{conversationId}", SignedIn(404), _ =>
            Task.FromResult(Json("PUT", $"/v1/notifications/mutes/{Guid.NewGuid()}", new { until = (DateTime?)null })))
        { Variant = "a conversation that does not exist" };
        // Unmuting only deletes the caller's own row and answers 204 whether or not there was one: it reveals nothing,
        // and someone removed from a conversation may still clear their old mute.
        yield return new("DELETE", "/v1/notifications/mutes/{conversationId}", SignedIn(204), c => Task.FromResult(Send("DELETE", $"/v1/notifications/mutes/{c.World.ConversationId}")));
        yield return new("GET", "/v1/notifications/preferences", SignedIn(200), _ => Task.FromResult(Get("/v1/notifications/preferences")));
        yield return new("PUT", "/v1/notifications/preferences", SignedIn(200), _ =>
            Task.FromResult(Json("PUT", "/v1/notifications/preferences", new { quietFrom = (string?)null, quietUntil = (string?)null, timeZone = "UTC" })));
    }

    private static IEnumerable<EndpointRow> Groups()
    {
        const string Group = "/v1/groups/{groupId}";
        static string G(RowCall c) => $"/v1/groups/{c.World.GroupId}";
        static async Task<Guid> JoinerAsync(RowCall c) => c.SignedIn ? (await c.World.NewGroupMemberAsync()).UserId : Guid.NewGuid();

        yield return new("POST", "/v1/groups", SignedIn(201), _ => Task.FromResult(Json("POST", "/v1/groups", new { name = "Mine" })));
        yield return new("GET", "/v1/groups", SignedIn(200), _ => Task.FromResult(Get("/v1/groups")));
        // Everyone signed in may ask; the answer leaves out whom they share no group with (PeopleApiTests).
        yield return new("GET", "/v1/people", SignedIn(200), c => Task.FromResult(Get($"/v1/people?id={c.World.Owner.UserId}")));
        yield return new("GET", Group, InGroup(200), c => Task.FromResult(Get(G(c))));
        yield return new("PATCH", Group, InGroup(403, admin: 200), c => Task.FromResult(Json("PATCH", G(c), new { name = "Matrix crew" })));
        yield return new("POST", Group + "/members", InGroup(403, admin: 200), async c =>
            Json("POST", G(c) + "/members", new { userId = c.SignedIn ? (await c.World.NewUserAsync("added")).UserId : Guid.NewGuid(), role = "Member" }));
        yield return new("PATCH", Group + "/members/{userId}", InGroup(403, admin: 403, owner: 200), async c =>
            Json("PATCH", $"{G(c)}/members/{await JoinerAsync(c)}", new { role = "Admin" }));
        yield return new("DELETE", Group + "/members/{userId}", InGroup(403, admin: 204), async c => Send("DELETE", $"{G(c)}/members/{await JoinerAsync(c)}"));
        yield return new("DELETE", Group + "/members/{userId}", InGroup(403, admin: 403, owner: 204), async c =>
            Send("DELETE", $"{G(c)}/members/{(c.SignedIn ? (await c.World.NewGroupMemberAsync(GroupRole.Admin)).UserId : Guid.NewGuid())}"))
        { Variant = "an admin" };
        yield return new("POST", Group + "/invites", InGroup(403, admin: 200), c =>
            Task.FromResult(Json("POST", G(c) + "/invites", new { identifier = AuthorizationWorld.Email("invitee"), role = "Member" })));

        // Admins add plain members only; only owners hand out admin (or owner).
        yield return new("POST", Group + "/members", InGroup(403, admin: 403, owner: 200), async c =>
            Json("POST", G(c) + "/members", new { userId = c.SignedIn ? (await c.World.NewUserAsync("promoted")).UserId : Guid.NewGuid(), role = "Admin" }))
        { Variant = "as an admin" };
        yield return new("POST", Group + "/invites", InGroup(403, admin: 403, owner: 200), c =>
            Task.FromResult(Json("POST", G(c) + "/invites", new { identifier = AuthorizationWorld.Email("invitee"), role = "Admin" })))
        { Variant = "as an admin" };
        yield return new("POST", Group + "/conversations", InGroup(201), c => Task.FromResult(Json("POST", G(c) + "/conversations", new { title = "Side" })));
        yield return new("POST", Group + "/conversations", InGroup(400), c =>
            Task.FromResult(Json("POST", G(c) + "/conversations", new { title = "Side", memberIds = new[] { c.World.OutsiderId } })))
        { Variant = "with someone from outside the group" };
        yield return new("GET", Group + "/conversations", InGroup(200), c => Task.FromResult(Get(G(c) + "/conversations")));
    }

    private static IEnumerable<EndpointRow> Conversations()
    {
        yield return new("GET", "/v1/conversations", SignedIn(200), _ => Task.FromResult(Get("/v1/conversations")));
        yield return new("GET", Conversation, InConversation(200), c => Task.FromResult(Get(C(c))));
        yield return new("PATCH", Conversation, InConversation(403, admin: 200), c => Task.FromResult(Json("PATCH", C(c), new { title = "Matrix" })));
        yield return new("GET", Conversation + "/members", InConversation(200), c => Task.FromResult(Get(C(c) + "/members")));
        yield return new("POST", Conversation + "/members", InConversation(403, admin: 204), async c =>
        {
            var userId = Guid.NewGuid();
            if (c.SignedIn)
            {
                // In the group but not (any longer) in the conversation: the one kind of user that may be added.
                userId = (await c.World.NewGroupMemberAsync()).UserId;
                using var removal = await c.World.Owner.Client.DeleteAsync($"{C(c)}/members/{userId}").WaitAsync(TestTimeouts.Default);
                removal.EnsureSuccessStatusCode();
            }

            return Json("POST", C(c) + "/members", new { userId });
        });
        yield return new("POST", Conversation + "/members", InConversation(403, admin: 400), c => Task.FromResult(Json("POST", C(c) + "/members", new { userId = c.World.OutsiderId })))
        { Variant = "someone from outside the group" };
        yield return new("DELETE", Conversation + "/members/{userId}", InConversation(403, admin: 204), async c =>
            Send("DELETE", $"{C(c)}/members/{(c.SignedIn ? (await c.World.NewGroupMemberAsync()).UserId : Guid.NewGuid())}"));
        yield return new("POST", Conversation + "/read", InConversation(200), c => Task.FromResult(Json("POST", C(c) + "/read", new { seq = 1 })));
    }

    /// <summary>
    /// Being in the group is not being in each of its conversations: in one picked for the owner and the admin, the
    /// member is an outsider like any other.
    /// </summary>
    private static IEnumerable<EndpointRow> PrivateConversation()
    {
        const string Variant = "a conversation of the group the member is not in";
        static string P(RowCall c) => $"/v1/conversations/{c.World.PrivateConversationId}";
        var outsiders = InConversation(404, admin: 200, owner: 200);
        yield return new("GET", Conversation, outsiders, c => Task.FromResult(Get(P(c)))) { Variant = Variant };
        yield return new("GET", Conversation + "/members", outsiders, c => Task.FromResult(Get(P(c) + "/members"))) { Variant = Variant };
        yield return new("GET", Conversation + "/items", outsiders, c => Task.FromResult(Get(P(c) + "/items?after=0"))) { Variant = Variant };
        yield return new("POST", Conversation + "/items", InConversation(404, admin: 201, owner: 201), c => Task.FromResult(Json("POST", P(c) + "/items", Text()))) { Variant = Variant };
        yield return new("GET", Conversation + "/tags", outsiders, c => Task.FromResult(Get(P(c) + "/tags"))) { Variant = Variant };
        yield return new("GET", Conversation + "/export", outsiders, c => Task.FromResult(Get(P(c) + "/export"))) { Variant = Variant };
        yield return new("GET", Conversation + "/awareness", outsiders, c => Task.FromResult(Get(P(c) + "/awareness"))) { Variant = Variant };
        yield return new("POST", Conversation + "/read", outsiders, c => Task.FromResult(Json("POST", P(c) + "/read", new { seq = 1 }))) { Variant = Variant };
    }

    private static IEnumerable<EndpointRow> Timeline()
    {
        yield return new("GET", Conversation + "/items", InConversation(200), c => Task.FromResult(Get(C(c) + "/items?after=0")));
        yield return new("POST", Conversation + "/items", InConversation(201), c => Task.FromResult(Json("POST", C(c) + "/items", Text())));
        yield return new("POST", Conversation + "/photos", InConversation(201), c => Task.FromResult(Upload(C(c) + "/photos", TestMedia.Png(3, 2), "image/png")));
        yield return new("POST", Conversation + "/voice-clips", InConversation(201), c => Task.FromResult(Upload(C(c) + "/voice-clips", TestMedia.Wav(TimeSpan.FromSeconds(1)), "audio/wav")));

        // Finding (issue 13): items, tags, bookmarks and flags accepted a callId of another conversation's call, or of no call.
        foreach (var (variant, call) in CallsNotHere())
        {
            yield return new("POST", Conversation + "/items", BadCallReference(), c => Task.FromResult(Json("POST", C(c) + "/items", Text() with { CallId = call(c) })))
            { Variant = variant };
            yield return new("POST", Conversation + "/photos", BadCallReference(), c => Task.FromResult(Upload($"{C(c)}/photos?callId={call(c)}", TestMedia.Png(3, 2), "image/png")))
            { Variant = variant };
            yield return new("POST", Conversation + "/voice-clips", BadCallReference(), c =>
                Task.FromResult(Upload($"{C(c)}/voice-clips?callId={call(c)}", TestMedia.Wav(TimeSpan.FromSeconds(1)), "audio/wav")))
            { Variant = variant };
        }

        // Only the author edits or deletes an item; owning the group gives no right over others' words.
        yield return new("PATCH", Conversation + "/items/{itemId}", InConversation(200, admin: 403), c => Task.FromResult(Json("PATCH", $"{C(c)}/items/{c.World.MemberItemId}", new { text = "edited" })));
        yield return new("DELETE", Conversation + "/items/{itemId}", InConversation(200, admin: 403), async c =>
            Send("DELETE", $"{C(c)}/items/{(c.SignedIn ? await c.World.NewMemberItemAsync() : Guid.NewGuid())}"));

        // An item is reached only through its own conversation.
        yield return new("PATCH", Conversation + "/items/{itemId}", InConversation(404), c => Task.FromResult(Json("PATCH", $"{C(c)}/items/{c.World.ForeignItemId}", new { text = "edited" })))
        { Variant = ForeignItem };
        yield return new("DELETE", Conversation + "/items/{itemId}", InConversation(404), c => Task.FromResult(Send("DELETE", $"{C(c)}/items/{c.World.ForeignItemId}")))
        { Variant = ForeignItem };
    }

    private static IEnumerable<EndpointRow> Annotations()
    {
        yield return new("GET", Conversation + "/tags", InConversation(200), c => Task.FromResult(Get(C(c) + "/tags")));
        yield return new("POST", Conversation + "/tags", InConversation(201), c => Task.FromResult(Json("POST", C(c) + "/tags", new { tag = "urgent" })));
        yield return new("GET", Conversation + "/bookmarks", InConversation(200), c => Task.FromResult(Get(C(c) + "/bookmarks")));
        yield return new("POST", Conversation + "/bookmarks", InConversation(201), c => Task.FromResult(Json("POST", C(c) + "/bookmarks", new { note = "here", itemId = c.World.MemberItemId })));
        yield return new("GET", Conversation + "/flags", InConversation(200), c => Task.FromResult(Get(C(c) + "/flags")));
        yield return new("POST", Conversation + "/flags", InConversation(201), c => Task.FromResult(Json("POST", C(c) + "/flags", new { itemId = c.World.MemberItemId })));
        yield return new("POST", Conversation + "/tags", InConversation(404), c => Task.FromResult(Json("POST", C(c) + "/tags", new { tag = "urgent", itemId = c.World.ForeignItemId })))
        { Variant = ForeignItem };
        yield return new("POST", Conversation + "/bookmarks", InConversation(404), c => Task.FromResult(Json("POST", C(c) + "/bookmarks", new { note = "here", itemId = c.World.ForeignItemId })))
        { Variant = ForeignItem };
        yield return new("POST", Conversation + "/flags", InConversation(404), c => Task.FromResult(Json("POST", C(c) + "/flags", new { itemId = c.World.ForeignItemId })))
        { Variant = ForeignItem };
        foreach (var (variant, call) in CallsNotHere())
        {
            yield return new("POST", Conversation + "/tags", BadCallReference(), c => Task.FromResult(Json("POST", C(c) + "/tags", new { tag = "urgent", callId = call(c), callOffsetMs = 0 })))
            { Variant = variant };
            yield return new("POST", Conversation + "/bookmarks", BadCallReference(), c => Task.FromResult(Json("POST", C(c) + "/bookmarks", new { note = "here", callId = call(c), callOffsetMs = 0 })))
            { Variant = variant };
            yield return new("POST", Conversation + "/flags", BadCallReference(), c => Task.FromResult(Json("POST", C(c) + "/flags", new { callId = call(c), callOffsetMs = 0 })))
            { Variant = variant };
        }

        // Tags and bookmarks: whoever added one, or a group owner or admin, removes it. Flags are private to their owner.
        yield return new("DELETE", Conversation + "/tags/{tagId}", InConversation(204), async c =>
            Send("DELETE", $"{C(c)}/tags/{(c.SignedIn ? await c.World.NewTagAsync() : Guid.NewGuid())}"));
        yield return new("DELETE", Conversation + "/tags/{tagId}", InConversation(403, admin: 204), async c =>
            Send("DELETE", $"{C(c)}/tags/{(c.SignedIn ? await c.World.NewTagAsync(c.World.Owner) : Guid.NewGuid())}"))
        { Variant = "the owner's tag" };
        yield return new("DELETE", Conversation + "/bookmarks/{bookmarkId}", InConversation(204), async c =>
            Send("DELETE", $"{C(c)}/bookmarks/{(c.SignedIn ? await c.World.NewBookmarkAsync() : Guid.NewGuid())}"));
        yield return new("DELETE", Conversation + "/bookmarks/{bookmarkId}", InConversation(403, admin: 204), async c =>
            Send("DELETE", $"{C(c)}/bookmarks/{(c.SignedIn ? await c.World.NewBookmarkAsync(c.World.Owner) : Guid.NewGuid())}"))
        { Variant = "the owner's bookmark" };
        yield return new("DELETE", Conversation + "/flags/{flagId}", InConversation(204, admin: 404), async c =>
            Send("DELETE", $"{C(c)}/flags/{(c.SignedIn ? await c.World.NewFlagAsync() : Guid.NewGuid())}"));
    }

    private static IEnumerable<EndpointRow> Reading()
    {
        // The status cannot tell whether a list leaked a conversation, so these rows look into the answer.
        yield return new("GET", "/v1/search", SignedIn(200), c => Task.FromResult(Get($"/v1/search?q=hello&conversationId={c.World.ConversationId}")))
        { Verify = (c, response) => SeesConversationItemsAsync(c, response) };
        yield return new("GET", "/v1/sync", SignedIn(200), _ => Task.FromResult(Get("/v1/sync")))
        { Verify = (c, response) => SeesConversationItemsAsync(c, response) };
        yield return new("GET", Conversation + "/export", InConversation(200), c => Task.FromResult(Get(C(c) + "/export")));
        yield return new("GET", "/v1/blobs/{blobId}", InConversation(200), c => Task.FromResult(Get($"/v1/blobs/{c.World.PhotoBlobId}")));
        yield return new("GET", Conversation + "/awareness", InConversation(200), c => Task.FromResult(Get(C(c) + "/awareness")));
    }

    private static IEnumerable<EndpointRow> Calls()
    {
        static string K(RowCall c) => $"/v1/calls/{c.World.CallId}";

        // A conversation holds one live call at a time, so each start gets a new conversation.
        // (The new conversation is for the whole group, so whoever was dropped from the world's one is in it.)
        yield return new("POST", Conversation + "/calls", InConversation(201).With(Actor.Dropped, 201), async c =>
            Send("POST", $"/v1/conversations/{(c.SignedIn ? await c.World.NewConversationAsync() : c.World.ConversationId)}/calls"));
        yield return new("GET", Call, InConversation(200), c => Task.FromResult(Get(K(c))));
        yield return new("POST", Call + "/join", InConversation(200), c => Task.FromResult(Send("POST", K(c) + "/join")));
        yield return new("POST", Call + "/leave", InConversation(202), c => Task.FromResult(Send("POST", K(c) + "/leave")));
        // Its starter (the owner) or whoever manages the conversation ends a call for everyone; others leave.
        yield return new("POST", Call + "/end", InConversation(403, admin: 200).With(Actor.Dropped, 403), async c =>
            Send("POST", $"/v1/calls/{(c.SignedIn ? await c.World.NewCallAsync() : c.World.CallId)}/end"));
        yield return new("GET", Call + "/recording", InConversation(200), c => Task.FromResult(Get(K(c) + "/recording")));
        yield return new("POST", Call + "/recording/playback", InConversation(200), c => Task.FromResult(Send("POST", K(c) + "/recording/playback")));
        // The play URL is its own credential (an <audio> element sends no token): whoever can sign one plays; anyone
        // else holds at best a member's URL re-addressed to themselves (or without its signature), which is refused.
        yield return new("GET", Call + "/recording/play", InConversation(200).With(Actor.Anonymous, 403).With(Actor.Operator, 403)
            .With(Actor.Stranger, 403).With(Actor.Removed, 403).With(Actor.Dropped, 403), PlayUrlAsync);
        yield return new("GET", Call + "/timeline", InConversation(200), c => Task.FromResult(Get(K(c) + "/timeline")));

        // A call is reached only by members of its own conversation, whatever their role elsewhere.
        yield return new("GET", Call, InConversation(404), c => Task.FromResult(Get($"/v1/calls/{c.World.ForeignCallId}")))
        { Variant = "another group's call" };
        yield return new("POST", Call + "/join", InConversation(404), c => Task.FromResult(Send("POST", $"/v1/calls/{c.World.ForeignCallId}/join")))
        { Variant = "another group's call" };
    }

    /// <summary>The caller's own signed play URL if they may have one; else a member's, forged for the caller.</summary>
    private static async Task<HttpRequestMessage> PlayUrlAsync(RowCall c)
    {
        using var signer = c.Host.CreateClient(c.Token ?? c.World.Member.Tokens.AccessToken);
        var response = await signer.PostAsync($"/v1/calls/{c.World.CallId}/recording/playback", null).WaitAsync(TestTimeouts.Default);
        if (c.Token is not null && response.IsSuccessStatusCode)
        {
            return Get(await PlaybackUrlAsync(response));
        }

        using var member = c.World.Host.CreateClient(c.World.Member.Tokens.AccessToken);
        var url = await PlaybackUrlAsync(await member.PostAsync($"/v1/calls/{c.World.CallId}/recording/playback", null).WaitAsync(TestTimeouts.Default));
        return Get(c.Token is null
            ? url[..url.IndexOf("&signature=", StringComparison.Ordinal)]
            : url.Replace(c.World.Member.UserId.ToString("N"), c.World.UserOf(c.Actor).UserId.ToString("N"), StringComparison.Ordinal));
    }

    private static async Task<string> PlaybackUrlAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"recording/playback: {(int)response.StatusCode}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default));
        return body.RootElement.GetProperty("url").GetString()!;
    }

    private static IEnumerable<EndpointRow> Admin()
    {
        yield return new("GET", "/v1/admin/instances", AdminKey(200), _ => Task.FromResult(Get("/v1/admin/instances")));
        // Draining is for good: it happens on a spare instance, never on the one the other rows use.
        yield return new("POST", "/v1/admin/drain", AdminKey(202), async c =>
        {
            c.Host = await c.World.SpareHostAsync();
            return Send("POST", "/v1/admin/drain");
        });
    }

    private static Talko.Server.Features.Conversations.PostTextRequest Text() => new(Guid.NewGuid().ToString("N"), "hello matrix");

    /// <summary>A call id that does not belong to the world's conversation: another group's live call, and no call at all.</summary>
    private static IEnumerable<(string Variant, Func<RowCall, Guid> Call)> CallsNotHere()
    {
        yield return ("a call of another conversation", c => c.World.ForeignCallId);
        yield return ("a call that does not exist", _ => Guid.Parse("0badca11-0000-4000-8000-000000000000"));
    }

    /// <summary>A reference to a call outside the conversation is refused: 400 or 404 both keep the call's existence hidden.</summary>
    private static Expectation BadCallReference() => InConversation(404).ForMembers(400, 404);

    /// <summary>Members find the world's items in the answer; those outside find none of them.</summary>
    private static async Task<string?> SeesConversationItemsAsync(RowCall c, HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)).RootElement;
        var seen = body.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("conversationId").GetGuid() == c.World.ConversationId);
        var member = c.Actor is Actor.Member or Actor.Admin or Actor.Owner;
        return member == seen > 0 ? null : $"the answer holds {seen} items of the world's conversation";
    }
}
