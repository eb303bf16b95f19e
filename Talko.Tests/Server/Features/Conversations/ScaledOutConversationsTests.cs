using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Conversations;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Conversations;

/// <summary>
/// Two in-process instances sharing PostgreSQL, Redis and one blob directory: live delivery across
/// instances, catching up through sync, idempotent retries, concurrent sequence numbers, membership
/// checks and refused uploads.
/// </summary>
public sealed class ScaledOutConversationsTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly string blobDirectory = Path.Combine(Path.GetTempPath(), "talko-tests", $"blobs-{Guid.NewGuid():N}");
    private TalkoHost one = null!;
    private TalkoHost two = null!;

    public async Task InitializeAsync()
    {
        one = new TalkoHost(Options("one"));
        two = new TalkoHost(Options("two"));
        // Start one first so it applies the migrations; the second finds them applied.
        one.CreateClient().Dispose();
        two.CreateClient().Dispose();
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await one.DisposeAsync();
        await two.DisposeAsync();
        TestDirectory.Delete(blobDirectory);
    }

    [Fact]
    public async Task A_thousand_items_posted_on_one_instance_arrive_live_in_order_on_the_other_and_sync_fills_a_disconnection_without_gap_or_duplicate()
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await one.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        using var bobOnTwo = two.CreateClient(bob.Tokens.AccessToken);
        var (_, startToken) = await bobOnTwo.SyncAllAsync(null);

        var received = Channel.CreateUnbounded<TimelineItem>();
        await using (var hub = two.CreateHubConnection(bob))
        {
            hub.On<TimelineItem>("itemCreated", item => received.Writer.TryWrite(item));
            await hub.StartAndWaitUntilReadyAsync();

            for (var i = 1; i <= 1000; i++)
            {
                await alice.Client.PostTextOkAsync(conversation.Id, $"message {i}");
            }

            var live = new List<TimelineItem>();
            while (live.Count < 1000)
            {
                live.Add(await received.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Long));
            }

            Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), live.Select(item => item.Seq));
            Assert.Equal(Enumerable.Range(1, 1000).Select(i => $"message {i}"), live.Select(item => item.Text));
        }

        // Bob's device records where it is (sync pages of 300 carry exactly what arrived live), then goes offline.
        var (caughtUp, token) = await bobOnTwo.SyncAllAsync(startToken, limit: 300);
        Assert.True(caughtUp.Count >= 4, $"paged in {caughtUp.Count} pages");
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), caughtUp.SelectMany(p => p.Items).Select(i => i.Seq));

        for (var i = 1001; i <= 1100; i++)
        {
            await alice.Client.PostTextOkAsync(conversation.Id, $"message {i}");
        }

        // Back online: one sync brings exactly the 100 missed items.
        var (missed, _) = await bobOnTwo.SyncAllAsync(token);
        var items = missed.SelectMany(p => p.Items).ToList();
        Assert.Equal(Enumerable.Range(1001, 100).Select(i => (long)i), items.Select(i => i.Seq));
        Assert.Equal(100, items.Select(i => i.Id).Distinct().Count());
        Assert.Equal(1100, missed[^1].Conversations.Single().LastSeq);
        Assert.Equal(1100, missed[^1].Conversations.Single().UnreadCount);
    }

    [Fact]
    public async Task A_retried_post_with_the_same_idempotency_key_returns_the_same_item_on_either_instance()
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Retries");
        using var aliceOnTwo = two.CreateClient(alice.Tokens.AccessToken);

        var first = await ConversationsTestExtensions.ReadAsync<TimelineItem>(await alice.Client.PostTextAsync(conversation.Id, "key-1", "hello"), HttpStatusCode.Created);
        var retried = await ConversationsTestExtensions.ReadAsync<TimelineItem>(await aliceOnTwo.PostTextAsync(conversation.Id, "key-1", "hello"), HttpStatusCode.OK);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? alice.Client : aliceOnTwo).PostTextAsync(conversation.Id, "key-2", "again")));

        Assert.Equal(first.Id, retried.Id);
        Assert.Equal(first.Seq, retried.Seq);
        var racing = await Task.WhenAll(concurrent.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(concurrent, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK));
        Assert.Single(concurrent, r => r.StatusCode == HttpStatusCode.Created);
        var page = await alice.Client.ItemsAsync(conversation.Id, "after=0");
        Assert.Equal([1L, 2L], page.Items.Select(i => i.Seq));
        Assert.Single(racing.Select(body => System.Text.Json.JsonSerializer.Deserialize<TimelineItem>(body, TalkoJson.Options)!.Id).Distinct());
    }

    [Fact]
    public async Task Concurrent_posts_from_both_instances_get_distinct_consecutive_sequence_numbers()
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await one.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Busy");
        using var bobOnTwo = two.CreateClient(bob.Tokens.AccessToken);

        var posted = new ConcurrentBag<TimelineItem>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            var client = writer % 2 == 0 ? alice.Client : bobOnTwo;
            for (var i = 0; i < 25; i++)
            {
                posted.Add(await client.PostTextOkAsync(conversation.Id, $"writer {writer} post {i}"));
            }
        })).WaitAsync(TestTimeouts.Long);

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), posted.Select(p => p.Seq).Order());
        var stored = await alice.Client.ItemsAsync(conversation.Id, "after=0&limit=500");
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), stored.Items.Select(i => i.Seq));
    }

    [Fact]
    public async Task A_non_member_gets_not_found_for_the_conversation_its_items_and_its_blobs()
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var mallory = await one.SignUpAsync($"mallory-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Private");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Secrets");
        var photo = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos", TestMedia.Png(3, 2), "image/png"), HttpStatusCode.Created);
        using var malloryOnTwo = two.CreateClient(mallory.Tokens.AccessToken);

        foreach (var path in new[]
        {
            $"/v1/groups/{group.Id}",
            $"/v1/conversations/{conversation.Id}",
            $"/v1/conversations/{conversation.Id}/items?after=0",
            $"/v1/conversations/{conversation.Id}/members",
            $"/v1/conversations/{conversation.Id}/export",
            photo.Media!.Url,
        })
        {
            var response = await malloryOnTwo.GetAsync(path).WaitAsync(TestTimeouts.Default);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await malloryOnTwo.PostTextAsync(conversation.Id, "k", "let me in")).StatusCode);
        Assert.Empty((await malloryOnTwo.SyncAsync(null)).Items);

        // Alice reads the blob through the other instance: same shared store.
        using var aliceOnTwo = two.CreateClient(alice.Tokens.AccessToken);
        Assert.Equal(TestMedia.Png(3, 2), await aliceOnTwo.GetByteArrayAsync(photo.Media.Url).WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task An_oversized_or_mislabelled_upload_gets_a_clear_4xx_and_leaves_no_blob_and_no_item()
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Uploads");
        var photos = $"/v1/conversations/{conversation.Id}/photos";
        var clips = $"/v1/conversations/{conversation.Id}/voice-clips";

        // The hosts allow 64 KiB photos and 2 s voice clips (see Options).
        var oversized = TestMedia.Png(3, 2).Concat(new byte[70 * 1024]).ToArray();
        var refusals = new (HttpResponseMessage Response, HttpStatusCode Expected)[]
        {
            (await alice.Client.UploadAsync(photos, oversized, "image/png"), HttpStatusCode.RequestEntityTooLarge),
            (await alice.Client.UploadAsync(photos, "not an image at all, just text"u8.ToArray(), "image/jpeg"), HttpStatusCode.UnsupportedMediaType),
            (await alice.Client.UploadAsync(photos, TestMedia.Png(3, 2), "image/jpeg"), HttpStatusCode.UnsupportedMediaType),
            (await alice.Client.UploadAsync(photos, TestMedia.Wav(TimeSpan.FromSeconds(1)), "application/octet-stream"), HttpStatusCode.UnsupportedMediaType),
            (await alice.Client.UploadAsync(photos, TestMedia.Png(3, 2)[..20], "image/png"), HttpStatusCode.UnprocessableEntity),
            (await alice.Client.UploadAsync(clips, TestMedia.Png(3, 2), "audio/wav"), HttpStatusCode.UnsupportedMediaType),
            (await alice.Client.UploadAsync(clips, TestMedia.Wav(TimeSpan.FromSeconds(3)), "audio/wav"), HttpStatusCode.UnprocessableEntity),
            (await alice.Client.UploadAsync(clips, TestMedia.Wav(new TestMedia.WavShape(SampleRate: 0, ByteRate: 16_000), 8_000), "audio/wav"), HttpStatusCode.UnprocessableEntity),
        };
        foreach (var (response, expected) in refusals)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"detail\"", body);
        }

        Assert.Empty((await alice.Client.ItemsAsync(conversation.Id, "after=0")).Items);
        Assert.Empty(Directory.EnumerateFiles(blobDirectory, "*", SearchOption.AllDirectories));

        // Within the limits the same endpoints accept.
        var clip = await ConversationsTestExtensions.ReadAsync<TimelineItem>(await alice.Client.UploadAsync(clips, TestMedia.Wav(TimeSpan.FromSeconds(1.5)), "audio/wav"), HttpStatusCode.Created);
        Assert.Equal(1500, clip.DurationMs);
        Assert.Equal("audio/wav", clip.Media!.ContentType);
    }

    [Fact]
    public async Task Search_uses_postgresql_full_text_and_finds_only_my_conversations()
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var carol = await one.SignUpAsync($"carol-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Harbour survey", ["marine"]);
        var crane = await alice.Client.PostTextOkAsync(conversation.Id, "The cranes arrive on Tuesday #logistics");
        var lunch = await alice.Client.PostTextOkAsync(conversation.Id, "Lunch is on me");
        using var aliceOnTwo = two.CreateClient(alice.Tokens.AccessToken);

        var byWords = await ConversationsTestExtensions.ReadAsync<Talko.Server.Features.Conversations.SearchResults>(await aliceOnTwo.GetAsync("/v1/search?q=arrive%20tuesday"), HttpStatusCode.OK);
        Assert.Equal(crane.Id, Assert.Single(byWords.Items).Id);
        var byTitle = await ConversationsTestExtensions.ReadAsync<Talko.Server.Features.Conversations.SearchResults>(await aliceOnTwo.GetAsync("/v1/search?q=harbour"), HttpStatusCode.OK);
        Assert.Equal(conversation.Id, Assert.Single(byTitle.Conversations).Id);
        var byTag = await ConversationsTestExtensions.ReadAsync<Talko.Server.Features.Conversations.SearchResults>(await aliceOnTwo.GetAsync("/v1/search?tag=marine"), HttpStatusCode.OK);
        Assert.Equal(conversation.Id, Assert.Single(byTag.Conversations).Id);
        // q finds tags too: the conversation's #marine is in no title or text.
        var byTagAsText = await ConversationsTestExtensions.ReadAsync<Talko.Server.Features.Conversations.SearchResults>(await aliceOnTwo.GetAsync("/v1/search?q=marine"), HttpStatusCode.OK);
        Assert.Equal(conversation.Id, Assert.Single(byTagAsText.Conversations).Id);
        await ConversationsTestExtensions.ReadAsync<TagView>(await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(aliceOnTwo,
            $"/v1/conversations/{conversation.Id}/tags", new Talko.Server.Features.Conversations.AddTagRequest("catering", lunch.Id)), HttpStatusCode.Created);
        var byItemTag = await ConversationsTestExtensions.ReadAsync<Talko.Server.Features.Conversations.SearchResults>(await aliceOnTwo.GetAsync("/v1/search?q=catering"), HttpStatusCode.OK);
        Assert.Equal(lunch.Id, Assert.Single(byItemTag.Items).Id);
        var carolSees = await ConversationsTestExtensions.ReadAsync<Talko.Server.Features.Conversations.SearchResults>(await carol.Client.GetAsync("/v1/search?q=lunch"), HttpStatusCode.OK);
        Assert.Empty(carolSees.Items);
    }

    private TalkoHostOptions Options(string instance) => TalkoHostOptions.ScaledOut(postgres, redis) with
    {
        InstanceId = $"{instance}-{Guid.NewGuid():N}"[..12],
        Settings = new Dictionary<string, string?>
        {
            ["Talko:Blobs:Directory"] = blobDirectory,
            ["Talko:Conversations:MaxPhotoBytes"] = (64 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Talko:Conversations:MaxVoiceClipDuration"] = "00:00:02",
            ["Talko:Accounts:AuthRequestsPerIp"] = "10000",
        },
    };
}
