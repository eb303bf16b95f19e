using System.Text.Json;
using Microsoft.Playwright;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Web.WebRtc;

/// <summary>
/// Issue 17, ADR 0724: two headless Chromiums whose hub connections sit on different instances join the same call over
/// WebRTC, and each hears the other's fake microphone tone (a WebAudio analyser on the received track). The browser on
/// the instance that does not own the call gets the owner's answer (the same certificate fingerprint as the other
/// browser's), so its media goes straight to the owner, where the mixer joins the two.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class CrossInstanceBrowserCallTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const double AliceTone = 1000;
    private const double BobTone = 600;
    private readonly CallInstances instances = new(postgres, redis, "webrtc-two");
    private readonly List<Browser> browsers = [];
    private TalkoProcess owner = null!;
    private TalkoProcess other = null!;
    private int ownerSip;

    public async Task InitializeAsync()
    {
        // A drain moves live calls soon (the move test drains the owner; the other test never drains).
        (owner, ownerSip) = await instances.StartProcessAsync("webrtc-a", s => s["Talko:Drain:CallDeadline"] = "00:00:01", environment: "Development");
        (other, _) = await instances.StartProcessAsync("webrtc-b", environment: "Development");
    }

    public async Task DisposeAsync()
    {
        foreach (var browser in browsers)
        {
            await browser.DisposeAsync();
        }

        await instances.DisposeAsync();
    }

    [Fact]
    public async Task Browsers_whose_hub_connections_are_on_different_instances_hear_each_other()
    {
        try
        {
            await TalkAsync();
        }
        catch
        {
            output.WriteLine(string.Join('\n', browsers.SelectMany(b => b.Errors)));
            output.WriteLine(owner.Output);
            output.WriteLine(other.Output);
            throw;
        }
    }

    private async Task TalkAsync()
    {
        var alicePage = await OpenTestPageAsync(owner, AliceTone, "alice");
        var bobPage = await OpenTestPageAsync(other, BobTone, "bob");
        var aliceId = Guid.Parse(await alicePage.EvaluateAsync<string>("email => signIn(email)", $"alice-{Guid.NewGuid():N}@example.com"));
        // Alice's REST calls (group, conversation, call) with her page's session, on the owner.
        using var alice = owner.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new("Bearer", await alicePage.EvaluateAsync<string>("() => state.token"));
        var bobId = await bobPage.EvaluateAsync<string>("email => signIn(email)", $"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.CreateGroupAsync("Crew");
        await alice.AddMemberAsync(group.Id, Guid.Parse(bobId));
        var conversation = await alice.CreateConversationAsync(group.Id, "Two instances");
        var call = await alice.StartCallAsync(conversation.Id);
        Assert.EndsWith($":{ownerSip}", (await alice.JoinAsync(call.Id)).SipUri, StringComparison.Ordinal);

        var aliceAnswer = await alicePage.EvaluateAsync<string>("id => joinCall(id, false)", call.Id.ToString());
        var bobAnswer = await bobPage.EvaluateAsync<string>("id => joinCall(id, false)", call.Id.ToString());
        output.WriteLine(bobAnswer);
        // Bob's hub is on the other instance, yet his answer is the owner's: its certificate, its media address.
        Assert.Equal(Fingerprint(aliceAnswer), Fingerprint(bobAnswer));
        Assert.Equal(Candidates(aliceAnswer).Select(Address).Distinct(), Candidates(bobAnswer).Select(Address).Distinct());

        await TestTimeouts.EventuallyAsync(
            async () => (await alice.GetCallAsync(call.Id)).Participants.Select(p => p.UserId).ToHashSet().SetEquals([aliceId, Guid.Parse(bobId)]),
            TestTimeouts.Long, "both browsers' users in the call");
        await HearsAsync(alicePage, BobTone, "alice hears bob's 600 Hz tone");
        await HearsAsync(bobPage, AliceTone, "bob hears alice's 1 kHz tone");

        // Bob leaves over his hub on the other instance: his leg on the owner ends.
        await bobPage.EvaluateAsync("id => invokeHub('LeaveCall', id)", call.Id.ToString());
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.GetCallAsync(call.Id)).Participants.All(p => p.UserId != Guid.Parse(bobId)), TestTimeouts.Long, "bob's leg to leave");
        Assert.Empty(browsers.SelectMany(b => b.Errors));
    }

    /// <summary>
    /// Blue/green for WebRTC legs (ADR 0724): both browsers' hubs are on the other instance and the call runs on the
    /// owner, which drains past its call deadline and moves the call there. Each page hears <c>callMoved</c>, joins again
    /// with a new peer connection (the new owner's certificate in the answer) and closes the old one; they hear each
    /// other again, now through the new owner.
    /// </summary>
    [Fact]
    public async Task Browsers_rejoin_after_callMoved_when_the_owner_drains_and_hear_each_other_again()
    {
        try
        {
            await MoveAsync();
        }
        catch
        {
            output.WriteLine(string.Join('\n', browsers.SelectMany(b => b.Errors)));
            output.WriteLine(owner.Output);
            output.WriteLine(other.Output);
            throw;
        }
    }

    private async Task MoveAsync()
    {
        var alicePage = await OpenTestPageAsync(other, AliceTone, "alice");
        var bobPage = await OpenTestPageAsync(other, BobTone, "bob");
        var aliceId = Guid.Parse(await alicePage.EvaluateAsync<string>("email => signIn(email)", $"alice-{Guid.NewGuid():N}@example.com"));
        var bobId = Guid.Parse(await bobPage.EvaluateAsync<string>("email => signIn(email)", $"bob-{Guid.NewGuid():N}@example.com"));
        using var alice = owner.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new("Bearer", await alicePage.EvaluateAsync<string>("() => state.token"));
        var group = await alice.CreateGroupAsync("Crew");
        await alice.AddMemberAsync(group.Id, bobId);
        var conversation = await alice.CreateConversationAsync(group.Id, "Deploy night");
        var call = await alice.StartCallAsync(conversation.Id);
        Assert.EndsWith($":{ownerSip}", (await alice.JoinAsync(call.Id)).SipUri, StringComparison.Ordinal);
        var before = Fingerprint(await alicePage.EvaluateAsync<string>("id => joinCall(id, false)", call.Id.ToString()));
        Assert.Equal(before, Fingerprint(await bobPage.EvaluateAsync<string>("id => joinCall(id, false)", call.Id.ToString())));
        await HearsAsync(alicePage, BobTone, "alice hears bob before the move");
        await HearsAsync(bobPage, AliceTone, "bob hears alice before the move");

        using (var drain = await owner.CreateAdminClient().PostAsync("/v1/admin/drain", null))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, drain.StatusCode);
        }

        foreach (var page in new[] { alicePage, bobPage })
        {
            await TestTimeouts.EventuallyAsync(
                async () => await page.EvaluateAsync<int>("() => state.answers.length") == 2, TestTimeouts.Long, "the page to join again after callMoved");
            Assert.Equal(["rejoined"], await page.EvaluateAsync<string[]>("() => Promise.all(state.moves)"));
            Assert.NotEqual(before, Fingerprint(await page.EvaluateAsync<string>("() => state.answers[1]")));
        }

        await HearsAsync(alicePage, BobTone, "alice hears bob after the move");
        await HearsAsync(bobPage, AliceTone, "bob hears alice after the move");
        using var aliceOnOther = other.CreateClient();
        aliceOnOther.DefaultRequestHeaders.Authorization = alice.DefaultRequestHeaders.Authorization;
        await TestTimeouts.EventuallyAsync(
            async () => await aliceOnOther.GetCallAsync(call.Id) is { OwnerInstanceId: "webrtc-b" } view
                && view.Participants.Select(p => p.UserId).ToHashSet().SetEquals([aliceId, bobId]),
            TestTimeouts.Long, "the call on the other instance with both in it");
        Assert.Empty(browsers.SelectMany(b => b.Errors));
    }

    private async Task HearsAsync(IPage page, double frequency, string what)
    {
        Heard? last = null;
        await TestTimeouts.EventuallyAsync(async () =>
        {
            last = JsonSerializer.Deserialize<Heard>(await page.EvaluateAsync<string>("async () => JSON.stringify(await heard())"), JsonSerializerOptions.Web)!;
            // 8192-point bins at 48 kHz are about 6 Hz wide; a steady tone stands well above the noise floor.
            return Math.Abs(last.Frequency - frequency) < 20 && last.PeakDb > -60;
        }, TestTimeouts.Long, what);
        output.WriteLine($"{what}: {last}");
    }

    private static string Fingerprint(string sdp) => sdp.Split("\r\n").Single(line => line.StartsWith("a=fingerprint:", StringComparison.Ordinal));

    private static IEnumerable<string> Candidates(string sdp) => sdp.Split("\r\n").Where(line => line.StartsWith("a=candidate:", StringComparison.Ordinal));

    /// <summary>A candidate's connection address (the fifth field).</summary>
    private static string Address(string candidate) => candidate.Split(' ')[4];

    private async Task<IPage> OpenTestPageAsync(TalkoProcess server, double tone, string name)
    {
        var wav = Path.Combine(instances.Shared, $"tone-{tone}.wav");
        Directory.CreateDirectory(instances.Shared);
        await File.WriteAllBytesAsync(wav, TestMedia.ToneWav(tone, sampleRate: 48000, seconds: 2));
        // One browser process per person: the fake capture file is per process.
        var browser = await Browser.LaunchAsync($"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required");
        browsers.Add(browser);
        var page = await browser.NewPersonAsync(server.BaseAddress, name);
        var html = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Web", "WebRtc", "webrtc-call.html"));
        // Written into a document the server served, so the page's requests and WebSocket are same-origin (BrowserCallTests).
        await page.RouteAsync("**/favicon.ico", route => route.FulfillAsync(new() { Status = 204 }));
        await page.GotoAsync("/health/live");
        await page.SetContentAsync(html);
        return page;
    }

    private sealed record Heard(string Connection, double Frequency, double PeakDb);
}
