using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Codes;
using Talko.Server.Features.Accounts.Entities;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Talko.Tests.Infrastructure;
using Talko.Tests.Core.Media.Engine;
using static Microsoft.Playwright.Assertions;

namespace Talko.Tests.Web;

/// <summary>
/// The recording player in Talko Web: a real call (a sipp leg with audio) recorded by a real server process, then played
/// in Chromium with its timeline, where choosing a marker jumps the player there.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class RecordingPlayerTests : IAsyncLifetime
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"player-{Guid.NewGuid():N}");
    private TalkoProcess server = null!;
    private Browser browser = null!;
    private int sipPort;

    public async Task InitializeAsync()
    {
        sipPort = Talko.Core.Sip.Transport.FreeSipPort.Find(IPAddress.Loopback) ?? throw new InvalidOperationException("No free SIP port.");
        server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = CallsTestKit.InstanceSettings(shared, sipPort) });
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
