using System.Net;
using Talko.Core.Conversations;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Core.Imaging;

/// <summary>Photos uploaded through the API get a decoded thumbnail that fits the configured bound.</summary>
public sealed class ThumbnailUploadTests : IAsyncLifetime
{
    private readonly TalkoHost host = new(TalkoHostOptions.Embedded() with
    {
        Settings = new Dictionary<string, string?>
        {
            ["Talko:Accounts:AuthRequestsPerIp"] = "10000",
            ["Talko:Imaging:ThumbnailMaxSide"] = "200",
        },
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Png_jpeg_and_webp_uploads_get_a_jpeg_thumbnail_within_the_bound()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Site photos");
        var picture = ImageFixtures.Pattern(900, 600);
        var uploads = new (byte[] Content, string Type)[]
        {
            (ImageFixtures.Png(picture), "image/png"),
            (ImageFixtures.Jpeg(picture, 90), "image/jpeg"),
            (ImageFixtures.Webp(picture, 90), "image/webp"),
        };

        foreach (var (content, type) in uploads)
        {
            var photo = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
                await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos", content, type), HttpStatusCode.Created);

            Assert.Equal((type, 900, 600), (photo.Media!.ContentType, photo.Media.Width, photo.Media.Height));
            Assert.Equal("image/jpeg", photo.Thumbnail!.ContentType);
            var thumbnail = await alice.Client.GetByteArrayAsync(photo.Thumbnail.Url).WaitAsync(TestTimeouts.Default);
            var decoded = ImageFixtures.Decode(thumbnail);
            Assert.Equal((200, 133), (decoded.Width, decoded.Height));
            var (_, mean) = ImageFixtures.Difference(ImageFixtures.AreaMean(picture, 200, 133), decoded);
            Assert.True(mean < 6, $"{type}: mean difference {mean:0.00}");
        }
    }

    [Fact]
    public async Task A_progressive_jpeg_gets_a_decoded_thumbnail_and_an_undecodable_photo_none()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Site photos");

        var progressive = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos", ImageFixtures.Read("jlarge-progressive.jpg"), "image/jpeg"), HttpStatusCode.Created);
        var decoded = ImageFixtures.Decode(await alice.Client.GetByteArrayAsync(progressive.Thumbnail!.Url).WaitAsync(TestTimeouts.Default));
        Assert.Equal((200, 125), (decoded.Width, decoded.Height));

        // The headers and a little image data, no Exif thumbnail: the upload still succeeds, without a thumbnail,
        // and the header's size is kept because it is within the decoding limits (ADR 0801).
        var cut = ImageFixtures.Read("j444.jpg")[..700];
        var photo = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos", cut, "image/jpeg"), HttpStatusCode.Created);
        Assert.Equal((67, 45), (photo.Media!.Width, photo.Media.Height));
        Assert.Null(photo.Thumbnail);
    }

    [Fact]
    public async Task A_header_that_declares_a_size_beyond_the_limits_leaves_the_photo_without_dimensions()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Site photos");

        // Neither decodes (no image data to speak of), and 65500 x 65500 is far over Talko:Imaging:MaxPixels.
        foreach (var (content, type) in new[] { (TestMedia.Png(65_500, 65_500), "image/png"), (TestMedia.Jpeg(65_500, 65_500), "image/jpeg") })
        {
            var photo = await ConversationsTestExtensions.ReadAsync<TimelineItem>(
                await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos", content, type), HttpStatusCode.Created);

            Assert.True(photo.Media!.Width is null && photo.Media.Height is null, $"{type}: stored as {photo.Media.Width}x{photo.Media.Height}");
        }
    }
}
