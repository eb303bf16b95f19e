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

namespace Talko.Tests.Web.WebRtc;

/// <summary>
/// Issue 17's core (ADR 0721): headless Chromium, through a small test page, signs in, connects to the hub and joins a
/// call over WebRTC (ICE lite, DTLS-SRTP, Opus) in which a sipp leg also talks. The SIP leg hears the browser's
/// microphone (a 1 kHz tone from a WAV file) and the browser hears the SIP leg's 600 Hz tone (its getStats() inbound
/// audio energy), the recording holds both; the browser's leg is a participant with its user while it is in, and leaves
/// when the client does.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class BrowserCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double BrowserTone = 1000;
    private const double SipTone = 600;
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"webrtc-{Guid.NewGuid():N}");
    private TalkoProcess server = null!;
    private Browser browser = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(shared);
        var wav = Path.Combine(shared, "tone.wav");
        await File.WriteAllBytesAsync(wav, TestMedia.ToneWav(BrowserTone, sampleRate: 48000, seconds: 2));
        var sipPort = FreePort.Find();
        var settings = CallsTestKit.InstanceSettings(shared, sipPort);
        settings["Talko:Media:WebRtc:IceTcpPort"] = FreePort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture);
        server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = settings });
        browser = await Browser.LaunchAsync($"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required");
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
    public Task A_browser_joins_over_the_hub_and_it_and_a_sip_leg_hear_each_other() => TalkAsync(tcpOnly: false);

    /// <summary>A client whose network blocks UDP (the page drops the answer's UDP candidate) talks over ICE-TCP.</summary>
    [Fact]
    public Task A_browser_without_udp_joins_over_the_ice_tcp_candidate() => TalkAsync(tcpOnly: true);

    private async Task TalkAsync(bool tcpOnly)
    {
        try
        {
            await TalkOrFailAsync(tcpOnly);
        }
        catch
        {
            output.WriteLine(string.Join('\n', browser.Errors));
            output.WriteLine(server.Output);
            throw;
        }
    }

    private async Task TalkOrFailAsync(bool tcpOnly)
    {
        var alice = await SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var page = await OpenTestPageAsync();
        var bobEmail = $"bob-{Guid.NewGuid():N}@example.com";
        var bobId = await page.EvaluateAsync<string>("email => signIn(email)", bobEmail);
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, Guid.Parse(bobId));
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "WebRTC");
        var call = await alice.Client.StartCallAsync(conversation.Id);

        // The owner's SIP address as the join API gives it (the instance may have fallen back to another free port).
        var sipAddress = new Uri((await alice.Client.JoinAsync(call.Id)).SipUri.Replace("sip:", "sip://", StringComparison.Ordinal)).Authority;
        await using var peer = new CallAudioPeer();
        var leg = CallsTestKit.SippLegAsync("call-leg.xml", sipAddress, call.Id, alice, peer.Port, TimeSpan.FromSeconds(40));
        await CallsTestKit.MediaFlowingAsync(peer, leg);

        var answer = await page.EvaluateAsync<string>("([id, tcpOnly]) => joinCall(id, tcpOnly)", new object[] { call.Id.ToString(), tcpOnly });
        output.WriteLine(answer);
        Assert.Contains(" tcp ", answer, StringComparison.Ordinal);
        await TestTimeouts.EventuallyAsync(
            async () => await StateAsync(page) is { Connection: "connected" }, TestTimeouts.Long, "the browser's peer connection to connect");
        var protocol = tcpOnly ? "tcp" : "udp";
        await TestTimeouts.EventuallyAsync(
            async () => (await StateAsync(page)).Protocol == protocol, TestTimeouts.Long, $"the selected pair to be over {protocol}");

        // The browser is a participant with its own user, like a SIP leg.
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Any(p => p.UserId == Guid.Parse(bobId)), TestTimeouts.Long, "the browser's user in the call");

        // The SIP leg hears the browser's microphone tone through the mixer.
        await TestTimeouts.EventuallyAsync(
            () => Task.FromResult(CallsTestKit.PeakAmplitude(peer.Heard, BrowserTone) > 1000), TestTimeouts.Long, "the SIP leg to hear the browser's 1 kHz tone");

        // The browser hears the SIP leg's tone: its inbound audio energy grows while the SIP leg talks.
        var before = await StateAsync(page);
        var talking = peer.TalkAsync(750, _ => SipTone);
        await TestTimeouts.EventuallyAsync(
            async () => await StateAsync(page) is { } now && now.TotalAudioEnergy - before.TotalAudioEnergy > 0.05 && now.AudioLevel > 0.01,
            TestTimeouts.Long, "the browser to hear the SIP leg's tone");
        var heard = await StateAsync(page);
        // Wideband both ways: Talko answered the browser's Opus offer with Opus (what the browser receives is Opus).
        Assert.Contains("opus/48000/2", answer, StringComparison.Ordinal);
        Assert.Equal("audio/opus/48000", heard.Codec);
        output.WriteLine($"browser: {heard}; SIP leg heard 1 kHz at {CallsTestKit.PeakAmplitude(peer.Heard, BrowserTone):F0}");
        await talking.WaitAsync(TestTimeouts.Long);
        await MeasureJoinTimeAsync(page, call.Id, tcpOnly);

        // The call's recording (the whole mix) holds both: the browser's tone and the SIP leg's.
        await TestTimeouts.EventuallyAsync(
            async () => await RecordedAsync(alice.Client, call.Id, BrowserTone) > 1000 && await RecordedAsync(alice.Client, call.Id, SipTone) > 1000,
            TestTimeouts.Long, "the recording to hold both tones");

        // Leaving over the hub ends the leg: the user is no longer a participant.
        await page.EvaluateAsync("id => invokeHub('LeaveCall', id)", call.Id.ToString());
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.All(p => p.UserId != Guid.Parse(bobId)), TestTimeouts.Long, "the browser's leg to leave");

        Assert.Empty(browser.Errors);
        var result = await leg.WaitAsync(TestTimeouts.Long);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>
    /// scripts/bench-webrtc-join.sh sets TALKO_BENCH_WEBRTC_JOINS: that many more joins, each from the hub call to the
    /// first audio packet in the browser, reported (not asserted: speed is for docs/benchmarks.md).
    /// </summary>
    private async Task MeasureJoinTimeAsync(IPage page, Guid callId, bool tcpOnly)
    {
        if (tcpOnly || !int.TryParse(Environment.GetEnvironmentVariable("TALKO_BENCH_WEBRTC_JOINS"), out var joins) || joins <= 0)
        {
            return;
        }

        var answers = new List<double>();
        var firstAudio = new List<double>();
        for (var i = 0; i < joins; i++)
        {
            var timing = JsonSerializer.Deserialize<JoinTiming>(
                await page.EvaluateAsync<string>("async id => JSON.stringify(await timeJoin(id))", callId.ToString()), JsonSerializerOptions.Web)!;
            answers.Add(timing.AnswerMs);
            firstAudio.Add(timing.FirstAudioMs);
        }

        static string Figures(List<double> values)
        {
            var sorted = values.Order().ToList();
            return $"median {sorted[sorted.Count / 2]:F0} ms, p95 {sorted[(int)Math.Ceiling(sorted.Count * 0.95) - 1]:F0} ms, max {sorted[^1]:F0} ms";
        }

        output.WriteLine($"BENCH webrtc-join joins={joins} answer: {Figures(answers)}; first audio: {Figures(firstAudio)}");
    }

    /// <summary>The strongest amplitude of <paramref name="frequency"/> over 100 ms windows of the call's recording so far.</summary>
    private async Task<double> RecordedAsync(HttpClient client, Guid callId, double frequency)
    {
        var path = Path.Combine(shared, $"recording-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(path, await client.GetByteArrayAsync($"/v1/calls/{callId}/recording?format=wav"));
        var wav = Talko.Tests.Core.Media.WavAudio.Read(path);
        File.Delete(path);
        var window = wav.SampleRate / 10;
        var peak = 0.0;
        for (var start = 0; start + window <= wav.Samples.Length; start += window / 2)
        {
            peak = Math.Max(peak, Talko.Tests.Core.Media.AudioSignals.Amplitude(wav.Samples.AsSpan(start, window), frequency, wav.SampleRate));
        }

        return peak;
    }

    private async Task<IPage> OpenTestPageAsync()
    {
        var page = await browser.NewPersonAsync(server.BaseAddress, "bob");
        var html = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Web", "WebRtc", "webrtc-call.html"));
        // Written into a document the server itself served, so the page's fetch and WebSocket calls are same-origin
        // (a page Playwright fulfils itself is not on the loopback address space and may not reach 127.0.0.1).
        await page.RouteAsync("**/favicon.ico", route => route.FulfillAsync(new() { Status = 204 }));
        await page.GotoAsync("/health/live");
        await page.SetContentAsync(html);
        return page;
    }

    private static async Task<AudioState> StateAsync(IPage page) =>
        JsonSerializer.Deserialize<AudioState>(await page.EvaluateAsync<string>("async () => JSON.stringify(await audioState())"), JsonSerializerOptions.Web)!;

    private async Task<TestUser> SignUpAsync(string email)
    {
        var client = server.CreateClient();
        (await client.PostAsJsonAsync("/v1/auth/start", new StartRequest(email, null))).EnsureSuccessStatusCode();
        var code = (await client.GetFromJsonAsync<List<MailboxMessage>>(DevelopmentMailboxApi.Path))!.First(m => m.To == email).Code;
        var verify = await client.PostAsJsonAsync("/v1/auth/verify", new VerifyRequest(email, null, code, new DeviceRegistration(DevicePlatform.Web, "webrtc test", null)));
        var signedIn = (await verify.Content.ReadFromJsonAsync<VerifyResponse>(TalkoJson.Options))!;
        client.DefaultRequestHeaders.Authorization = new("Bearer", signedIn.Tokens.AccessToken);
        return new TestUser(client, signedIn.UserId, signedIn.DeviceId, signedIn.Tokens, signedIn.Sip, email);
    }

    private sealed record JoinTiming(double AnswerMs, double FirstAudioMs);

    private sealed record AudioState(string Connection, long PacketsReceived, long PacketsSent, double AudioLevel, double TotalAudioEnergy, string? Protocol, string? Codec);
}
