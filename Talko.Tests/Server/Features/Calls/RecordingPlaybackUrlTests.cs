using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// Signed playback URLs of recordings (ADR 0813), attacked: only a member gets one; it plays with Range requests and no
/// token; another user's id, another call, a changed expiry or signature, a token in the query instead, an expired URL or
/// a user who has since left the conversation all get nothing (403, or 410 when only the time ran out).
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class RecordingPlaybackUrlTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"playback-{Guid.NewGuid():N}");
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private TalkoHost host = null!;

    public Task InitializeAsync()
    {
        // Only the signer's clock is fake, so a test can let a URL expire without waiting.
        host = new TalkoHost(
            TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = "playback-a", Settings = CallsTestKit.InstanceSettings(shared, FreePort.Find()) },
            services => services.AddSingleton(provider => new RecordingPlaybackSigner(
                provider.GetRequiredService<ServerKeys>(), provider.GetRequiredService<IOptions<CallsOptions>>(), clock)));
        host.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        TestDirectory.Delete(shared);
    }

    [Fact]
    public async Task A_member_plays_by_a_signed_url_that_nothing_else_opens()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var dave = await host.SignUpAsync($"dave-{Guid.NewGuid():N}@example.com");
        using var carol = await host.SignUpAsync($"carol-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, dave.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TestTimeouts.Default);
        var carolsGroup = await carol.Client.CreateGroupAsync("Elsewhere");
        var carolsCall = await carol.Client.StartCallAsync((await carol.Client.CreateConversationAsync(carolsGroup.Id, "Hers")).Id).WaitAsync(TestTimeouts.Default);

        // A non-member gets no URL (the call does not exist for her), nor does anyone without a token.
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Client.PostAsync($"/v1/calls/{call.Id}/recording/playback", null)).StatusCode);
        using (var anonymous = host.CreateClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/v1/calls/{call.Id}/recording/playback", null)).StatusCode);
        }

        var issued = await PlaybackAsync(alice, call.Id);
        Assert.InRange(issued.ExpiresAt - clock.GetUtcNow(), TimeSpan.FromMinutes(4), RecordingPlaybackSigner.MaxLifetime);
        Assert.DoesNotContain(alice.Tokens.AccessToken, issued.Url, StringComparison.Ordinal);
        using var anyone = host.CreateClient(); // no Authorization header: what an <audio> element sends
        using (var request = new HttpRequestMessage(HttpMethod.Get, issued.Url))
        {
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, null);
            using var played = await anyone.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, played.StatusCode);
            Assert.Equal("audio/ogg", played.Content.Headers.ContentType?.MediaType);
            Assert.Equal("bytes", played.Headers.AcceptRanges.Single());
            Assert.True((await played.Content.ReadAsByteArrayAsync()).AsSpan().StartsWith("OggS"u8), "not an Ogg stream");
            Assert.Equal("no-referrer", played.Headers.GetValues("Referrer-Policy").Single());
        }

        // Tampered: each field changed, the URL moved to another call, fields missing, the bearer token in the query instead.
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), issued.Url).Query);
        var user = query["user"]!;
        var expires = query["expires"]!;
        var signature = query["signature"]!;
        var path = $"/v1/calls/{call.Id}/recording/play";
        var flipped = (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        foreach (var forged in new[]
        {
            $"{path}?user={dave.UserId:N}&expires={expires}&signature={signature}",
            $"{path}?user={carol.UserId:N}&expires={expires}&signature={signature}",
            $"{path}?user={user}&expires={long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) + 3600}&signature={signature}",
            $"{path}?user={user}&expires={expires}&signature={flipped}",
            $"{path}?user={user}&expires={expires}&signature={signature[..^2]}",
            $"{path}?user={user}&expires={expires}",
            $"{path}?user={user}&expires=-1&signature={signature}",
            $"{path}?access_token={alice.Tokens.AccessToken}",
            $"/v1/calls/{carolsCall.Id}/recording/play?user={user}&expires={expires}&signature={signature}",
            $"/v1/calls/{carolsCall.Id}/recording/play?user={carol.UserId:N}&expires={expires}&signature={signature}",
        })
        {
            await AssertProblemAsync(await anyone.GetAsync(forged), HttpStatusCode.Forbidden, "playback_url_invalid", forged);
        }

        // The bearer token does not stand in for the signature either.
        await AssertProblemAsync(await alice.Client.GetAsync(path), HttpStatusCode.Forbidden, "playback_url_invalid", "token, no signature");

        // Dave's own URL works until he leaves the conversation's group; then it stops at once, though unexpired.
        var davesUrl = (await PlaybackAsync(dave, call.Id)).Url;
        using (var played = await anyone.GetAsync(davesUrl))
        {
            Assert.Equal(HttpStatusCode.OK, played.StatusCode);
        }

        (await dave.Client.DeleteAsync($"/v1/groups/{group.Id}/members/{dave.UserId}")).EnsureSuccessStatusCode();
        await AssertProblemAsync(await anyone.GetAsync(davesUrl), HttpStatusCode.Forbidden, "playback_url_invalid", "after leaving");

        // Expired: 410, so the player knows to ask for a new one (which works).
        clock.Advance(RecordingPlaybackSigner.MaxLifetime + TimeSpan.FromSeconds(1));
        await AssertProblemAsync(await anyone.GetAsync(issued.Url), HttpStatusCode.Gone, "playback_url_expired", "expired");
        using (var renewed = await anyone.GetAsync((await PlaybackAsync(alice, call.Id)).Url))
        {
            Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        }
    }

    private static async Task<RecordingPlaybackResponse> PlaybackAsync(TestUser user, Guid callId)
    {
        using var response = await user.Client.PostAsync($"/v1/calls/{callId}/recording/playback", null);
        return await ConversationsTestExtensions.ReadAsync<RecordingPlaybackResponse>(response, HttpStatusCode.OK);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason, string what)
    {
        using (response)
        {
            Assert.True(status == response.StatusCode, $"{what}: {response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(TestTimeouts.Default);
            Assert.Equal(reason, problem.GetProperty("reason").GetString());
        }
    }
}
