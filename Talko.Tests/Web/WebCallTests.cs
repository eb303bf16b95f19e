using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Talko.Tests.Web;

/// <summary>
/// Calls in Talko Web (issue 18): alice and bob, each in a Chromium of their own whose fake microphone plays a tone of
/// its own (the fake capture file is per browser process), sign up through the development mailbox, and both join
/// the same call from the conversation screen. Each hears the other's tone (a WebAudio analyser on the received
/// track), the talking indicator follows who is audible as they mute and unmute, the call screen passes axe-core, and
/// afterwards the recording plays with both talkers among its markers.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class WebCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double AliceTone = 1000;
    private const double BobTone = 600;

    /// <summary>
    /// Installed before the app: keeps the page's peer connections and answers what arrives on the newest one, its
    /// dominant frequency and level (from an analyser on the received track, which the app also plays).
    /// </summary>
    private const string ListenScript = """
        (() => {
          const peers = [];
          const Native = window.RTCPeerConnection;
          window.RTCPeerConnection = class extends Native { constructor(...args) { super(...args); peers.push(this); } };
          let analysis = null;
          window.__heard = async () => {
            const pc = peers.filter(p => p.connectionState !== 'closed').pop();
            const track = pc && pc.getReceivers().map(r => r.track).find(t => t && t.kind === 'audio' && t.readyState === 'live');
            if (!track) return { connection: pc ? pc.connectionState : 'none', frequency: 0, peakDb: -200 };
            if (!analysis || analysis.track !== track) {
              const context = new AudioContext();
              await context.resume();
              const analyser = context.createAnalyser();
              analyser.fftSize = 8192;
              analyser.smoothingTimeConstant = 0;
              context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
              analysis = { track, context, analyser };
            }
            const bins = new Float32Array(analysis.analyser.frequencyBinCount);
            analysis.analyser.getFloatFrequencyData(bins);
            let best = 1;
            for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
            return { connection: pc.connectionState, frequency: best * analysis.context.sampleRate / analysis.analyser.fftSize, peakDb: Math.max(bins[best], -200) };
          };
        })();
        """;

    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"web-call-{Guid.NewGuid():N}");
    private readonly List<string> accessibility = [];
    // What each page heard on its hub connection about awareness and calls, printed when the test fails.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> realtime = new();
    private TalkoProcess server = null!;
    private Browser aliceBrowser = null!;
    private Browser bobBrowser = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(shared);
        var sipPort = FreePort.Find();
        var settings = CallsTestKit.InstanceSettings(shared, sipPort);
        // The call ends soon after both leave, so its recording can be played; long enough that the moment between
        // starting the call and joining it never ends it on a loaded machine.
        settings["Talko:Calls:EmptyCallGrace"] = "00:00:10";
        settings["Serilog:MinimumLevel:Override:Talko.Core.Calls"] = "Debug";
        server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = settings });
        aliceBrowser = await LaunchWithToneAsync(AliceTone);
        bobBrowser = await LaunchWithToneAsync(BobTone);
        SetDefaultExpectTimeout((float)TestTimeouts.Long.TotalMilliseconds);
    }

    public async Task DisposeAsync()
    {
        await aliceBrowser.DisposeAsync();
        await bobBrowser.DisposeAsync();
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
    public async Task Two_people_call_from_the_browser_hear_each_other_see_who_talks_and_play_the_recording()
    {
        var alice = await aliceBrowser.NewPersonAsync(server.BaseAddress, "alice");
        var bob = await bobBrowser.NewPersonAsync(server.BaseAddress, "bob");
        ListenToHub(alice, "alice");
        ListenToHub(bob, "bob");
        try
        {
            await CallAsync(alice, bob);
        }
        catch
        {
            await Browser.ScreenshotAsync(alice, "call-failure-alice");
            await Browser.ScreenshotAsync(bob, "call-failure-bob");
            output.WriteLine(string.Join('\n', aliceBrowser.Errors.Concat(bobBrowser.Errors)));
            output.WriteLine(string.Join('\n', realtime));
            output.WriteLine(server.Output);
            throw;
        }

        Assert.Empty(accessibility);
        Assert.Empty(aliceBrowser.Errors);
        Assert.Empty(bobBrowser.Errors);
    }

    private async Task CallAsync(IPage alice, IPage bob)
    {
        await alice.Context.AddInitScriptAsync(ListenScript);
        await bob.Context.AddInitScriptAsync(ListenScript);
        await WebSignUp.SignUpAsync(alice, "alice@example.com", "Alice");
        await alice.GetByLabel("New group name").FillAsync("Crew");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await alice.GetByLabel("Invite by email").FillAsync("bob@example.com");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await alice.GetByLabel("New conversation").FillAsync("Standup");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Standup" })).ToBeVisibleAsync();

        await WebSignUp.SignUpAsync(bob, "bob@example.com", "Bob");
        await bob.GetByRole(AriaRole.Link, new() { Name = "Standup" }).ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Heading, new() { Name = "Standup" })).ToBeVisibleAsync();
        await CheckAsync(bob, "call-none");

        // Alice starts the call; Bob sees it live and joins it.
        var aliceCall = alice.GetByRole(AriaRole.Region, new() { Name = "Call" });
        var bobCall = bob.GetByRole(AriaRole.Region, new() { Name = "Call" });
        await aliceCall.GetByRole(AriaRole.Button, new() { Name = "Start a call" }).ClickAsync();
        await Expect(aliceCall.GetByRole(AriaRole.Button, new() { Name = "Leave call" })).ToBeVisibleAsync();
        await Expect(bobCall.GetByRole(AriaRole.Button, new() { Name = "Join the call" })).ToBeVisibleAsync();
        await Expect(InCall(bob, "Alice")).ToBeVisibleAsync();
        await CheckAsync(bob, "call-live");
        await bobCall.GetByRole(AriaRole.Button, new() { Name = "Join the call" }).ClickAsync();
        await Expect(bobCall.GetByRole(AriaRole.Button, new() { Name = "Leave call" })).ToBeVisibleAsync();
        await Expect(aliceCall).ToContainTextAsync("Connected.");
        await Expect(bobCall).ToContainTextAsync("Connected.");
        await Expect(InCall(alice, "Bob")).ToBeVisibleAsync();
        await Expect(InCall(bob, "Alice")).ToBeVisibleAsync();

        // Each hears the other's tone through the server's mix (and not their own: the mix leaves each one out).
        await HearsAsync(alice, BobTone, "Alice to hear Bob's 600 Hz");
        await HearsAsync(bob, AliceTone, "Bob to hear Alice's 1 kHz");

        // Both tones are on: both talk. Alice mutes: only Bob talks, on both screens.
        await ExpectTalkingAsync(alice, bob, aliceTalks: true, bobTalks: true);
        await CheckAsync(alice, "call-alice");
        await CheckAsync(bob, "call-bob");
        // From the keyboard; the focus stays on the toggle while awareness redraws the call section.
        await aliceCall.GetByRole(AriaRole.Button, new() { Name = "Turn microphone off" }).FocusAsync();
        await alice.Keyboard.PressAsync("Enter");
        await Expect(aliceCall.GetByRole(AriaRole.Button, new() { Name = "Turn microphone on" })).ToHaveAttributeAsync("aria-pressed", "true");
        await ExpectTalkingAsync(alice, bob, aliceTalks: false, bobTalks: true);
        await Expect(aliceCall.GetByRole(AriaRole.Button, new() { Name = "Turn microphone on" })).ToBeFocusedAsync();
        await Expect(InCall(bob, "Alice")).ToContainTextAsync("muted");
        await CheckAsync(bob, "call-alice-muted");

        // Alice unmutes, Bob mutes: the indicator moves to Alice.
        await aliceCall.GetByRole(AriaRole.Button, new() { Name = "Turn microphone on" }).ClickAsync();
        await bobCall.GetByRole(AriaRole.Button, new() { Name = "Turn microphone off" }).ClickAsync();
        await ExpectTalkingAsync(alice, bob, aliceTalks: true, bobTalks: false);
        await CheckAsync(alice, "call-bob-muted");

        // Both leave; the call ends when empty, and its recording plays with both talkers among the markers.
        await bobCall.GetByRole(AriaRole.Button, new() { Name = "Leave call" }).ClickAsync();
        await aliceCall.GetByRole(AriaRole.Button, new() { Name = "Leave call" }).ClickAsync();
        await Expect(aliceCall.GetByRole(AriaRole.Button, new() { Name = "Start a call" })).ToBeVisibleAsync();
        await alice.GetByRole(AriaRole.Link, new() { Name = "Play the recording" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Call recording" })).ToBeVisibleAsync();
        await alice.WaitForFunctionAsync("() => { const a = document.querySelector('main audio'); return a && a.readyState >= 1 && a.duration > 1; }");
        var markers = alice.GetByRole(AriaRole.List, new() { Name = "Markers" });
        await Expect(markers.GetByRole(AriaRole.Button, new() { Name = "Alice talking" }).First).ToBeVisibleAsync();
        await Expect(markers.GetByRole(AriaRole.Button, new() { Name = "Bob talking" }).First).ToBeVisibleAsync();
        await markers.GetByRole(AriaRole.Button, new() { Name = "Bob talking" }).First.ClickAsync();
        Assert.True(await alice.EvaluateAsync<double>("() => document.querySelector('main audio').currentTime") > 0, "the player jumped to Bob's talk");
        await CheckAsync(alice, "call-recording");
    }

    /// <summary>The participant chip of <paramref name="name"/> in the call section of <paramref name="page"/>.</summary>
    private static ILocator InCall(IPage page, string name) =>
        page.GetByRole(AriaRole.List, new() { Name = "In the call" }).Locator("li", new() { HasText = name });

    private static async Task ExpectTalkingAsync(IPage alice, IPage bob, bool aliceTalks, bool bobTalks)
    {
        foreach (var page in new[] { alice, bob })
        {
            await Expect(InCall(page, "Alice")).ToHaveAttributeAsync("data-talking", aliceTalks ? "true" : "false");
            await Expect(InCall(page, "Bob")).ToHaveAttributeAsync("data-talking", bobTalks ? "true" : "false");
        }
    }

    private async Task HearsAsync(IPage page, double frequency, string what)
    {
        Heard? last = null;
        await TestTimeouts.EventuallyAsync(async () =>
        {
            last = JsonSerializer.Deserialize<Heard>(await page.EvaluateAsync<string>("async () => JSON.stringify(await window.__heard())"), JsonSerializerOptions.Web)!;
            // 8192-point bins at 48 kHz are about 6 Hz wide; PCMU keeps a steady tone well above the noise floor.
            return Math.Abs(last.Frequency - frequency) < 20 && last.PeakDb > -60;
        }, TestTimeouts.Long, what);
        output.WriteLine($"{what}: {last}");
    }

    private void ListenToHub(IPage page, string who) =>
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
        {
            if (frame.Text is { } text && (text.Contains("\"awareness\"", StringComparison.Ordinal) || text.Contains("\"call", StringComparison.Ordinal)))
            {
                realtime.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {who} heard {text.TrimEnd('\u001e')}");
            }
        };

    private async Task CheckAsync(IPage page, string screen)
    {
        await Browser.ScreenshotAsync(page, screen);
        accessibility.AddRange((await Browser.AccessibilityProblemsAsync(page)).Select(p => $"{screen}: {p}"));
    }

    private async Task<Browser> LaunchWithToneAsync(double frequency)
    {
        var wav = Path.Combine(shared, $"tone-{frequency:F0}.wav");
        await File.WriteAllBytesAsync(wav, TestMedia.ToneWav(frequency, sampleRate: 48000, seconds: 2));
        return await Browser.LaunchAsync($"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required");
    }

    private sealed record Heard(string Connection, double Frequency, double PeakDb);
}
