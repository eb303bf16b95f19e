using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Conversations;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Groups;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Calls;

namespace Talko.Tests.Server.Features.Conversations;

/// <summary>The core paths on one embedded instance (SQLite, in-process events, blobs in the data directory).</summary>
public sealed class EmbeddedConversationsTests : IAsyncLifetime
{
    private readonly TalkoHost host = new(TalkoHostOptions.Embedded() with
    {
        Settings = new Dictionary<string, string?> { ["Talko:Accounts:AuthRequestsPerIp"] = "10000" },
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Members_post_read_edit_delete_and_sync_with_live_events()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        using var bob = await host.SignUpAsync("bob@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Planning", ["ops"]);
        Assert.Equal(["ops"], conversation.Tags);

        var events = Channel.CreateUnbounded<(string Name, object Payload)>();
        await using var hub = host.CreateHubConnection(bob, webSockets: true);
        hub.On<TimelineItem>("itemCreated", item => events.Writer.TryWrite(("itemCreated", item)));
        hub.On<TimelineItem>("itemUpdated", item => events.Writer.TryWrite(("itemUpdated", item)));
        hub.On<ConversationMemberView>("readStateChanged", member => events.Writer.TryWrite(("readStateChanged", member)));
        await hub.StartAndWaitUntilReadyAsync();

        var first = await alice.Client.PostTextOkAsync(conversation.Id, "Kick-off at 9 #launch");
        var second = await alice.Client.PostTextOkAsync(conversation.Id, "Bring coffee");
        Assert.Equal((1L, 2L), (first.Seq, second.Seq));
        Assert.Equal(("itemCreated", 1L), await NextItem(events));
        Assert.Equal(("itemCreated", 2L), await NextItem(events));

        // Unread counts and read state.
        var bobsView = await ConversationsTestExtensions.ReadAsync<ConversationView>(await bob.Client.GetAsync($"/v1/conversations/{conversation.Id}"), HttpStatusCode.OK);
        Assert.Equal(2, bobsView.UnreadCount);
        var read = await ConversationsTestExtensions.ReadAsync<ConversationMemberView>(
            await bob.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/read", new MarkReadRequest(1)), HttpStatusCode.OK);
        Assert.Equal(1, read.LastReadSeq);
        Assert.Equal("readStateChanged", (await events.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default)).Name);
        bobsView = await ConversationsTestExtensions.ReadAsync<ConversationView>(await bob.Client.GetAsync($"/v1/conversations/{conversation.Id}"), HttpStatusCode.OK);
        Assert.Equal(1, bobsView.UnreadCount);

        // Only the author edits; an edit re-parses hashtags.
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Client.PatchAsJsonAsync($"/v1/conversations/{conversation.Id}/items/{first.Id}", new EditItemRequest("mine now"))).StatusCode);
        var edited = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.PatchAsJsonAsync($"/v1/conversations/{conversation.Id}/items/{first.Id}", new EditItemRequest("Kick-off at 10 #launch #moved")), HttpStatusCode.OK);
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(("itemUpdated", 1L), await NextItem(events));

        var deleted = await ConversationsTestExtensions.ReadAsync<TimelineItem>(await alice.Client.DeleteAsync($"/v1/conversations/{conversation.Id}/items/{second.Id}"), HttpStatusCode.OK);
        Assert.NotNull(deleted.DeletedAt);
        Assert.Null(deleted.Text);
        Assert.Equal(("itemUpdated", 2L), await NextItem(events));

        // Sync from scratch sees the final state: the edit, the tombstone, the tags, bob's read state.
        var (pages, token) = await bob.Client.SyncAllAsync(null);
        var items = pages.SelectMany(p => p.Items).ToList();
        Assert.Equal([1L, 2L], items.Select(i => i.Seq));
        Assert.Equal("Kick-off at 10 #launch #moved", items[0].Text);
        Assert.NotNull(items[1].DeletedAt);
        Assert.Equal(["launch", "moved", "ops"], pages.SelectMany(p => p.Tags).Where(t => !t.Removed).Select(t => t.Tag).Order());
        Assert.Equal(1, pages.SelectMany(p => p.Members).Single(m => m.UserId == bob.UserId).LastReadSeq);
        Assert.Empty((await bob.Client.SyncAsync(token)).Items);

        // Paging history both ways.
        for (var i = 3; i <= 7; i++)
        {
            await alice.Client.PostTextOkAsync(conversation.Id, $"note {i}");
        }

        var latest = await bob.Client.ItemsAsync(conversation.Id, "limit=3");
        Assert.Equal([5L, 6L, 7L], latest.Items.Select(i => i.Seq));
        Assert.True(latest.HasMore);
        var older = await bob.Client.ItemsAsync(conversation.Id, "before=5&limit=3");
        Assert.Equal([2L, 3L, 4L], older.Items.Select(i => i.Seq));
        var newer = await bob.Client.ItemsAsync(conversation.Id, "after=4&limit=10");
        Assert.Equal([5L, 6L, 7L], newer.Items.Select(i => i.Seq));
        Assert.False(newer.HasMore);
    }

    [Fact]
    public async Task Photos_and_voice_clips_are_checked_by_content_served_with_range_and_etag_and_exported()
    {
        using var alice = await host.SignUpAsync("alice@example.com", displayName: "Alice Archer");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Media");
        var thumbnail = TestMedia.Jpeg(16, 12);
        var jpeg = TestMedia.JpegWithExifThumbnail(640, 480, thumbnail);

        // Labelled as a generic octet stream: the content decides.
        var photo = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos?caption=the%20site", jpeg, "application/octet-stream", key: "photo-1"), HttpStatusCode.Created);
        Assert.Equal(ItemKind.Photo, photo.Kind);
        Assert.Equal(("image/jpeg", 640, 480), (photo.Media!.ContentType, photo.Media.Width, photo.Media.Height));
        Assert.Equal("image/jpeg", photo.Thumbnail!.ContentType);
        Assert.Equal(thumbnail, await alice.Client.GetByteArrayAsync(photo.Thumbnail.Url));

        // A retried upload returns the same item and stores nothing new.
        var retry = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos", jpeg, "image/jpeg", key: "photo-1"), HttpStatusCode.OK);
        Assert.Equal(photo.Id, retry.Id);

        var whole = await alice.Client.GetAsync(photo.Media.Url);
        Assert.Equal(jpeg, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", whole.Content.Headers.ContentType?.MediaType);
        var etag = whole.Headers.ETag!;
        using var ranged = new HttpRequestMessage(HttpMethod.Get, photo.Media.Url);
        ranged.Headers.Range = new RangeHeaderValue(2, 9);
        var part = await alice.Client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(jpeg[2..10], await part.Content.ReadAsByteArrayAsync());
        using var conditional = new HttpRequestMessage(HttpMethod.Get, photo.Media.Url);
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await alice.Client.SendAsync(conditional)).StatusCode);

        var ogg = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/voice-clips", TestMedia.OggOpus(TimeSpan.FromSeconds(4.5)), "audio/ogg"), HttpStatusCode.Created);
        Assert.Equal((ItemKind.VoiceClip, 4500L, "audio/ogg"), (ogg.Kind, ogg.DurationMs!.Value, ogg.Media!.ContentType));
        var m4a = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/voice-clips", TestMedia.M4a(TimeSpan.FromSeconds(61)), "audio/mp4"), HttpStatusCode.Created);
        Assert.Equal(61_000L, m4a.DurationMs);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/voice-clips", TestMedia.Wav(TimeSpan.FromMinutes(10.5)), "audio/wav")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/voice-clips", TestMedia.Wav(new TestMedia.WavShape(SampleRate: 0, ByteRate: 16_000), 8_000), "audio/wav")).StatusCode);

        // A flag of mine and a call that ended before anyone joined (so it has a timeline but no recording).
        var flag = await ConversationsTestExtensions.ReadAsync<FlagView>(
            await alice.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/flags", new AddFlagRequest(photo.Id)), HttpStatusCode.Created);
        var call = await alice.Client.StartCallAsync(conversation.Id);
        (await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null)).EnsureSuccessStatusCode();

        var export = await alice.Client.GetAsync($"/v1/conversations/{conversation.Id}/export");
        Assert.Equal("application/zip", export.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await export.Content.ReadAsStreamAsync());
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("timeline.json", names);
        Assert.Contains($"media/{photo.Media.BlobId}.jpg", names);
        Assert.Contains($"media/{ogg.Media.BlobId}.opus", names);
        Assert.DoesNotContain($"calls/{call.Id}.wav", names);
        using var timelineJson = System.Text.Json.JsonDocument.Parse(zip.GetEntry("timeline.json")!.Open());
        var root = timelineJson.RootElement;
        Assert.Contains(root.GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString() == "the site");
        var person = Assert.Single(root.GetProperty("people").EnumerateArray());
        Assert.Equal((alice.UserId.ToString(), "Alice Archer"), (person.GetProperty("userId").GetString(), person.GetProperty("displayName").GetString()));
        var exportedFlag = Assert.Single(root.GetProperty("flags").EnumerateArray());
        Assert.Equal((flag.Id.ToString(), photo.Id.ToString()), (exportedFlag.GetProperty("id").GetString(), exportedFlag.GetProperty("itemId").GetString()));
        using var callsJson = System.Text.Json.JsonDocument.Parse(zip.GetEntry("calls.json")!.Open());
        var exportedCall = Assert.Single(callsJson.RootElement.EnumerateArray());
        Assert.Equal(call.Id.ToString(), exportedCall.GetProperty("callId").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, exportedCall.GetProperty("recording").ValueKind);
        Assert.Equal(call.Id.ToString(), exportedCall.GetProperty("timeline").GetProperty("callId").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, exportedCall.GetProperty("endedAt").ValueKind);
    }

    [Fact]
    public async Task Tags_bookmarks_flags_and_search()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        using var bob = await host.SignUpAsync("bob@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Site survey");
        var item = await alice.Client.PostTextOkAsync(conversation.Id, "Crane arrives Tuesday #logistics");
        var lunch = await alice.Client.PostTextOkAsync(conversation.Id, "Lunch is on me");
        // A tag may point at a moment of one of this conversation's calls (ADR 0602); the call must exist.
        var callId = (await alice.Client.StartCallAsync(conversation.Id)).Id;

        var momentTag = await ConversationsTestExtensions.ReadAsync<TagView>(
            await bob.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/tags", new AddTagRequest("#Decision", CallId: callId, CallOffsetMs: 30_000)), HttpStatusCode.Created);
        Assert.Equal(("decision", 30_000L), (momentTag.Tag, momentTag.CallOffsetMs!.Value));
        var bookmark = await ConversationsTestExtensions.ReadAsync<BookmarkView>(
            await bob.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/bookmarks", new AddBookmarkRequest("check the date", item.Id)), HttpStatusCode.Created);
        await ConversationsTestExtensions.ReadAsync<FlagView>(
            await bob.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/flags", new AddFlagRequest(item.Id)), HttpStatusCode.Created);

        // Bookmarks are for everyone, flags only for their owner.
        var alicesBookmarks = await ConversationsTestExtensions.ReadAsync<List<BookmarkView>>(await alice.Client.GetAsync($"/v1/conversations/{conversation.Id}/bookmarks"), HttpStatusCode.OK);
        Assert.Equal(bookmark.Id, Assert.Single(alicesBookmarks).Id);
        Assert.Empty(await ConversationsTestExtensions.ReadAsync<List<FlagView>>(await alice.Client.GetAsync($"/v1/conversations/{conversation.Id}/flags"), HttpStatusCode.OK));
        Assert.Single(await ConversationsTestExtensions.ReadAsync<List<FlagView>>(await bob.Client.GetAsync($"/v1/conversations/{conversation.Id}/flags"), HttpStatusCode.OK));
        var alicesTag = await ConversationsTestExtensions.ReadAsync<TagView>(
            await alice.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/tags", new AddTagRequest("urgent")), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Client.DeleteAsync($"/v1/conversations/{conversation.Id}/tags/{alicesTag.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.DeleteAsync($"/v1/conversations/{conversation.Id}/tags/{momentTag.Id}")).StatusCode);

        var byTag = await ConversationsTestExtensions.ReadAsync<SearchResults>(await bob.Client.GetAsync("/v1/search?tag=LOGISTICS"), HttpStatusCode.OK);
        Assert.Equal(item.Id, Assert.Single(byTag.Items).Id);
        var byText = await ConversationsTestExtensions.ReadAsync<SearchResults>(await bob.Client.GetAsync("/v1/search?q=lunch"), HttpStatusCode.OK);
        Assert.Equal("Lunch is on me", Assert.Single(byText.Items).Text);
        var byTitle = await ConversationsTestExtensions.ReadAsync<SearchResults>(await bob.Client.GetAsync("/v1/search?q=survey"), HttpStatusCode.OK);
        Assert.Equal(conversation.Id, Assert.Single(byTitle.Conversations).Id);
        // q also finds tags: the conversation's own (#urgent) and an item's (#catering), neither in any text.
        await ConversationsTestExtensions.ReadAsync<TagView>(
            await bob.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/tags", new AddTagRequest("catering", lunch.Id)), HttpStatusCode.Created);
        var byConversationTag = await ConversationsTestExtensions.ReadAsync<SearchResults>(await bob.Client.GetAsync("/v1/search?q=urgent"), HttpStatusCode.OK);
        Assert.Equal((conversation.Id, 0), (Assert.Single(byConversationTag.Conversations).Id, byConversationTag.Items.Count));
        var byItemTag = await ConversationsTestExtensions.ReadAsync<SearchResults>(await bob.Client.GetAsync("/v1/search?q=%23Catering"), HttpStatusCode.OK);
        Assert.Equal((lunch.Id, 0), (Assert.Single(byItemTag.Items).Id, byItemTag.Conversations.Count));
        using var carol = await host.SignUpAsync("carol@example.com");
        Assert.Empty((await ConversationsTestExtensions.ReadAsync<SearchResults>(await carol.Client.GetAsync("/v1/search?q=lunch"), HttpStatusCode.OK)).Items);
    }

    [Fact]
    public async Task Roles_are_enforced_and_the_last_owner_cannot_leave()
    {
        using var owner = await host.SignUpAsync("owner@example.com");
        using var admin = await host.SignUpAsync("admin@example.com");
        using var member = await host.SignUpAsync("member@example.com");
        var group = await owner.Client.CreateGroupAsync("Crew");
        await owner.Client.AddMemberAsync(group.Id, admin.UserId, GroupRole.Admin);
        await admin.Client.AddMemberAsync(group.Id, member.UserId);

        Assert.Equal(HttpStatusCode.Forbidden, (await member.Client.PatchAsJsonAsync($"/v1/groups/{group.Id}", new RenameGroupRequest("Mine"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Client.PostAsJsonAsync($"/v1/groups/{group.Id}/members", new AddMemberRequest(Guid.NewGuid(), GroupRole.Owner))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Client.DeleteAsync($"/v1/groups/{group.Id}/members/{owner.UserId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.Client.DeleteAsync($"/v1/groups/{group.Id}/members/{owner.UserId}")).StatusCode);

        // A conversation for the whole group follows it: the member who leaves the group leaves it too.
        var conversation = await member.Client.CreateConversationAsync(group.Id, "Everyone");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/v1/groups/{group.Id}/members/{member.UserId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await member.Client.GetAsync($"/v1/conversations/{conversation.Id}")).StatusCode);
        var timeline = await owner.Client.ItemsAsync(conversation.Id, "after=0");
        Assert.Equal(Timeline.MemberRemoved, Assert.Single(timeline.Items).SystemEvent);

        // After handing over, the first owner can leave.
        (await owner.Client.PatchAsJsonAsync($"/v1/groups/{group.Id}/members/{admin.UserId}", new ChangeRoleRequest(GroupRole.Owner))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/v1/groups/{group.Id}/members/{owner.UserId}")).StatusCode);
    }

    [Fact]
    public async Task An_invite_by_email_becomes_membership_when_that_person_registers()
    {
        using var owner = await host.SignUpAsync("owner@example.com");
        var group = await owner.Client.CreateGroupAsync("Crew");
        var conversation = await owner.Client.CreateConversationAsync(group.Id, "Welcome");
        var invite = await ConversationsTestExtensions.ReadAsync<InviteView>(
            await owner.Client.PostAsJsonAsync($"/v1/groups/{group.Id}/invites", new InviteRequest("Newcomer@Example.com", null)), HttpStatusCode.OK);
        Assert.NotNull(invite.InviteId);

        using var newcomer = await host.SignUpAsync("newcomer@example.com");

        // Registration itself claims the invite: the conversation opens before any list or sync call.
        Assert.Equal(HttpStatusCode.OK, (await newcomer.Client.GetAsync($"/v1/conversations/{conversation.Id}")).StatusCode);
        var groups = await ConversationsTestExtensions.ReadAsync<List<GroupView>>(await newcomer.Client.GetAsync("/v1/groups"), HttpStatusCode.OK);
        Assert.Equal(group.Id, Assert.Single(groups).Id);
    }

    private static async Task<(string Name, long Seq)> NextItem(Channel<(string Name, object Payload)> events)
    {
        var (name, payload) = await events.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);
        return (name, ((TimelineItem)payload).Seq);
    }
}
