using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Codes;
using Talko.Server.Features.Accounts.Entities;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Talko.Tests.Web;

/// <summary>
/// The recording player in Talko Web: a real call (a sipp leg with audio) recorded by a real server process, then played
/// in Chromium with its timeline, where choosing a marker jumps the player there.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class RecordingPlayerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"player-{Guid.NewGuid():N}");
    private TalkoProcess server = null!;
    private Browser browser = null!;
    private int sipPort;

    public async Task InitializeAsync()
    {
        sipPort = FreePort.Find();
        var settings = CallsTestKit.InstanceSettings(shared, sipPort);
        // Small chunks, so a few seconds of recording (about 25 KB) are read in several ranges, as an hour would be.
        settings["Talko:Calls:RecordingRangeChunkBytes"] = "4096";
        server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = settings });
        browser = await Browser.LaunchAsync();
        SetDefaultExpectTimeout((float)TestTimeouts.Default.TotalMilliseconds);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await server.DisposeAsync();
        try
        {
            TestDirectory.Delete(shared);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }

    [Fact]
    public async Task A_recorded_call_plays_with_its_markers_and_a_marker_jumps_there()
    {
        var (alice, session) = await SignUpAsync(server, "alice@example.com", "Alice");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Standup");
        var call = await alice.Client.StartCallAsync(conversation.Id);

        await using (var peer = new CallAudioPeer())
        {
            var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(5));
            await CallsTestKit.MediaFlowingAsync(peer, leg);
            await peer.TalkAsync(40, _ => null);
            await peer.TalkAsync(75, _ => 600); // 1.5 s of Alice talking, after 0.8 s of silence
            await peer.TalkAsync(25, _ => null);
            await leg.WaitAsync(TimeSpan.FromSeconds(60));
        }

        (await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null)).EnsureSuccessStatusCode();
        var timeline = await TestTimeouts.EventuallyAsync(() => alice.Client.GetTimelineAsync(call.Id),
            t => t.Markers.Any(m => m.Kind == "talker" && m.EndMs > m.OffsetMs), TimeSpan.FromSeconds(30), "a talker marker");
        var talked = timeline.Markers.First(m => m.Kind == "talker" && m.EndMs > m.OffsetMs);

        var page = await browser.NewPersonAsync(server.BaseAddress, "alice");
        await page.Context.AddInitScriptAsync($"localStorage.setItem('talko.session', {JsonSerializer.Serialize(JsonSerializer.Serialize(session))});");
        await page.GotoAsync($"/#/c/{conversation.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Standup" })).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "player-conversation");
        await page.GetByRole(AriaRole.Link, new() { Name = "Play the recording" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Call recording" })).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => { const a = document.querySelector('audio'); return a && a.readyState >= 1 && a.duration > 1; }");

        var marker = page.GetByRole(AriaRole.List, new() { Name = "Markers" }).GetByRole(AriaRole.Button, new() { Name = "Alice talking" }).First;
        await marker.ClickAsync();
        var position = await page.EvaluateAsync<double>("() => document.querySelector('audio').currentTime");
        Assert.Equal(talked.OffsetMs / 1000.0, position, precision: 1);
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "Recording timeline" }).GetByRole(AriaRole.Button)).Not.ToHaveCountAsync(0);

        await Browser.ScreenshotAsync(page, "player");
        Assert.Empty(await Browser.AccessibilityProblemsAsync(page));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task The_player_streams_through_a_signed_url_and_a_seek_is_read_by_range_requests()
    {
        var (alice, session) = await SignUpAsync(server, "alice@example.com", "Alice");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Standup");
        var call = await alice.Client.StartCallAsync(conversation.Id);
        await using (var peer = new CallAudioPeer())
        {
            var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(12));
            await CallsTestKit.MediaFlowingAsync(peer, leg);
            await peer.TalkAsync(500, _ => 600); // 10 s of Alice talking
            await leg.WaitAsync(TimeSpan.FromSeconds(60));
        }

        (await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null)).EnsureSuccessStatusCode();
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetTimelineAsync(call.Id), t => t.DurationMs >= 8000 && t.Markers.Any(m => m.Kind == "talker"),
            TimeSpan.FromSeconds(30), "the recording closed");

        var page = await browser.NewPersonAsync(server.BaseAddress, "alice");
        await page.Context.AddInitScriptAsync($"localStorage.setItem('talko.session', {JsonSerializer.Serialize(JsonSerializer.Serialize(session))});");
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string Url, int Status, string? Range, bool Token, string? ContentRange)>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains($"/v1/calls/{call.Id}/recording", StringComparison.Ordinal) && response.Request.Method == "GET")
            {
                response.Request.Headers.TryGetValue("range", out var range);
                response.Headers.TryGetValue("content-range", out var contentRange);
                seen.Enqueue((response.Url, response.Status, range, response.Request.Headers.ContainsKey("authorization"), contentRange));
            }
        };
        await page.GotoAsync($"/#/call/{call.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Call recording" })).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => { const a = document.querySelector('audio'); return a && a.readyState >= 1 && a.duration > 5; }");

        // The element plays the signed URL itself: no blob fetched first, no token in the URL.
        var src = await page.EvaluateAsync<string>("() => document.querySelector('audio').src");
        Assert.Contains($"/v1/calls/{call.Id}/recording/play?", src, StringComparison.Ordinal);
        Assert.Contains("signature=", src, StringComparison.Ordinal);
        Assert.DoesNotContain(alice.Tokens.AccessToken, src, StringComparison.Ordinal);

        var result = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const audio = document.querySelector('audio');
              audio.muted = true;
              const target = audio.duration * 0.8;
              const seeked = new Promise(resolve => audio.addEventListener('seeked', resolve, { once: true }));
              audio.currentTime = target;
              await seeked;
              const landed = audio.currentTime;
              await audio.play();
              await new Promise(resolve => {
                const check = () => audio.currentTime > landed + 0.5 ? resolve() : setTimeout(check, 50);
                check();
              });
              const played = audio.currentTime;
              audio.pause();
              return { duration: audio.duration, target, landed, played };
            }
            """);
        output.WriteLine(result.ToString());
        foreach (var (url, status, range, token, contentRange) in seen)
        {
            output.WriteLine($"{status} Range: {range} Content-Range: {contentRange} token: {token} {url[..Math.Min(url.Length, 90)]}");
        }

        var target = result.GetProperty("target").GetDouble();
        Assert.InRange(result.GetProperty("landed").GetDouble(), target - 0.5, target + 0.5);
        Assert.True(result.GetProperty("played").GetDouble() > result.GetProperty("landed").GetDouble(), "the element did not play on from the seek");

        // Every read was a range of the signed URL, answered 206 without a token; several chunks, reaching the seek's data.
        Assert.True(seen.Count >= 2, "the element read the recording in one request");
        long furthest = 0, total = 0;
        var starts = new HashSet<long>();
        foreach (var (url, status, range, token, contentRange) in seen)
        {
            Assert.Contains("/recording/play?", url, StringComparison.Ordinal);
            Assert.Equal(206, status);
            Assert.False(token, "the element sent an Authorization header");
            Assert.StartsWith("bytes=", Assert.IsType<string>(range), StringComparison.Ordinal);
            var answered = Assert.IsType<string>(contentRange);
            var slash = answered.IndexOf('/', StringComparison.Ordinal);
            var span = answered["bytes ".Length..slash];
            var dash = span.IndexOf('-', StringComparison.Ordinal);
            starts.Add(long.Parse(span[..dash], System.Globalization.CultureInfo.InvariantCulture));
            furthest = Math.Max(furthest, long.Parse(span[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture) + 1);
            total = long.Parse(answered[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Contains(starts, s => s > 0);
        Assert.True(furthest > total * 0.8, $"the element read only {furthest} of {total} bytes");
        Assert.Empty(browser.Errors);
    }

    /// <summary>Signs up over HTTP with the code from the development mailbox; returns the user and the web client's stored session.</summary>
    internal static async Task<(TestUser User, object Session)> SignUpAsync(TalkoProcess server, string email, string name)
    {
        var client = server.CreateClient();
        (await client.PostAsJsonAsync("/v1/auth/start", new StartRequest(email, null))).EnsureSuccessStatusCode();
        var code = (await client.GetFromJsonAsync<List<MailboxMessage>>(DevelopmentMailboxApi.Path))!.First(m => m.To == email).Code;
        var verify = await client.PostAsJsonAsync("/v1/auth/verify", new VerifyRequest(email, null, code, new DeviceRegistration(DevicePlatform.Web, "player test", null)));
        var signedIn = (await verify.Content.ReadFromJsonAsync<VerifyResponse>(TalkoJson.Options))!;
        client.DefaultRequestHeaders.Authorization = new("Bearer", signedIn.Tokens.AccessToken);
        (await client.PatchAsJsonAsync("/v1/me", new UpdateMeRequest(name, null))).EnsureSuccessStatusCode();
        var session = new { userId = signedIn.UserId, deviceId = signedIn.DeviceId, tokens = new { accessToken = signedIn.Tokens.AccessToken, refreshToken = signedIn.Tokens.RefreshToken } };
        return (new TestUser(client, signedIn.UserId, signedIn.DeviceId, signedIn.Tokens, signedIn.Sip, email), session);
    }
}
