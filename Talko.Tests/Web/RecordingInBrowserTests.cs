using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Web;

/// <summary>
/// The Ogg Opus recording (ADR 0812) as a browser takes it: Chromium's own decoder reads a recorded call with its tone
/// where the timeline puts it, and a plain <c>&lt;audio&gt;</c> element seeks into the middle of a call that is still
/// live, through Range requests the server answers with 206.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class RecordingInBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double Tone = 600;
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"ogg-{Guid.NewGuid():N}");
    private TalkoProcess server = null!;
    private Browser browser = null!;
    private int sipPort;

    public async Task InitializeAsync()
    {
        sipPort = FreePort.Find();
        var settings = CallsTestKit.InstanceSettings(shared, sipPort);
        // Small chunks, so that the element reads a half-minute recording (about 80 KB) in several ranges, as it would an hour.
        settings["Talko:Calls:RecordingRangeChunkBytes"] = "16384";
        server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = settings });
        browser = await Browser.LaunchAsync();
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
    public async Task Chromium_decodes_an_ended_calls_recording_with_the_tone_where_the_timeline_says()
    {
        var (alice, _) = await RecordingPlayerTests.SignUpAsync(server, "alice@example.com", "Alice");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Standup");
        var call = await alice.Client.StartCallAsync(conversation.Id);
        await using (var peer = new CallAudioPeer())
        {
            var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(5));
            await CallsTestKit.MediaFlowingAsync(peer, leg);
            await peer.TalkAsync(50, _ => null);
            await peer.TalkAsync(75, _ => Tone); // 1.5 s of tone after 1 s of silence
            await peer.TalkAsync(50, _ => null);
            await leg.WaitAsync(TimeSpan.FromSeconds(60));
        }

        (await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null)).EnsureSuccessStatusCode();
        var timeline = await TestTimeouts.EventuallyAsync(() => alice.Client.GetTimelineAsync(call.Id),
            t => t.Segments.Count > 0 && t.Segments.All(s => s.State == "Complete") && t.Markers.Any(m => m.Kind == "talker" && m.EndMs > m.OffsetMs),
            TestTimeouts.Default, "a complete recording with a talker");
        var talked = timeline.Markers.First(m => m.Kind == "talker" && m.EndMs > m.OffsetMs);

        var page = await browser.NewPersonAsync(server.BaseAddress, "alice");
        await page.GotoAsync("/");
        var decoded = await page.EvaluateAsync<JsonElement>(
            """
            async ([url, token, tone, talkMs]) => {
              const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
              const type = response.headers.get('content-type');
              const audio = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(await response.arrayBuffer());
              const samples = audio.getChannelData(0);
              // Goertzel amplitude of the tone over 100 ms from a given time (full scale 1.0).
              const amplitude = seconds => {
                const start = Math.floor(seconds * audio.sampleRate), n = Math.floor(audio.sampleRate / 10);
                const w = 2 * Math.PI * tone / audio.sampleRate, c = 2 * Math.cos(w);
                let s1 = 0, s2 = 0;
                for (let i = 0; i < n; i++) { const s = samples[start + i] + c * s1 - s2; s2 = s1; s1 = s; }
                return 2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / n;
              };
              return { type, duration: audio.duration, rate: audio.sampleRate, talking: amplitude(talkMs / 1000 + 0.3), before: amplitude(0.2) };
            }
            """,
            new object[] { $"/v1/calls/{call.Id}/recording", alice.Tokens.AccessToken, Tone, talked.OffsetMs });
        output.WriteLine(decoded.ToString());

        Assert.StartsWith("audio/ogg", decoded.GetProperty("type").GetString());
        Assert.InRange(decoded.GetProperty("duration").GetDouble(), (timeline.DurationMs / 1000.0) - 0.05, (timeline.DurationMs / 1000.0) + 0.05);
        Assert.True(decoded.GetProperty("talking").GetDouble() > 0.05, "Chromium does not hear the tone where the timeline puts the talker");
        Assert.True(decoded.GetProperty("before").GetDouble() < 0.01, "the silence before the talker is not silent");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task An_audio_element_seeks_into_the_middle_of_a_live_calls_recording_through_range_requests()
    {
        var (alice, _) = await RecordingPlayerTests.SignUpAsync(server, "alice@example.com", "Alice");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Standup");
        var call = await alice.Client.StartCallAsync(conversation.Id);
        await using var peer = new CallAudioPeer();
        var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(55));
        await CallsTestKit.MediaFlowingAsync(peer, leg);
        using var talking = new CancellationTokenSource();
        var talk = Task.Run(async () =>
        {
            while (!talking.IsCancellationRequested)
            {
                await peer.TalkAsync(50, _ => Tone);
            }
        });

        // Enough recorded that the element cannot take it all in its first read.
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetTimelineAsync(call.Id), t => t.DurationMs >= 30_000, TimeSpan.FromSeconds(60), "30 s recorded");

        var page = await browser.NewPersonAsync(server.BaseAddress, "alice");
        await page.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["Authorization"] = $"Bearer {alice.Tokens.AccessToken}" });
        var seen = new ConcurrentQueue<(int Status, string? Range, string? ContentRange)>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains("/recording", StringComparison.Ordinal))
            {
                response.Request.Headers.TryGetValue("range", out var range);
                response.Headers.TryGetValue("content-range", out var contentRange);
                seen.Enqueue((response.Status, range, contentRange));
            }
        };
        await page.GotoAsync("/");
        var result = await page.EvaluateAsync<JsonElement>(
            """
            async url => {
              const audio = document.createElement('audio');
              audio.muted = true;
              audio.preload = 'metadata';
              document.body.append(audio);
              const once = name => new Promise((resolve, reject) => {
                audio.addEventListener(name, resolve, { once: true });
                audio.addEventListener('error', () => reject(new Error(`media error ${audio.error && audio.error.code}`)), { once: true });
              });
              const loaded = once('loadedmetadata');
              audio.src = url;
              await loaded;
              const duration = audio.duration;
              const target = duration / 2;
              const seeked = once('seeked');
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
              return { duration, target, landed, played };
            }
            """,
            $"/v1/calls/{call.Id}/recording");
        output.WriteLine(result.ToString());
        foreach (var (status, range, contentRange) in seen)
        {
            output.WriteLine($"{status} Range: {range} Content-Range: {contentRange}");
        }

        // Still live: the element read a snapshot of a growing recording.
        Assert.Equal("live", (await alice.Client.GetCallAsync(call.Id)).State);
        talking.Cancel();
        await talk;

        var duration = result.GetProperty("duration").GetDouble();
        var target = result.GetProperty("target").GetDouble();
        Assert.InRange(duration, 29, 60);
        Assert.InRange(result.GetProperty("landed").GetDouble(), target - 0.5, target + 0.5);
        Assert.True(result.GetProperty("played").GetDouble() > result.GetProperty("landed").GetDouble(), "the element did not play on from the seek");

        // Byte ranges: every answer was 206, and the element read from inside the stream, not only from its start.
        Assert.NotEmpty(seen);
        Assert.All(seen, s => Assert.Equal(206, s.Status));
        // Everything the element played came through ranges, in several reads (the chunks), past the middle it sought to.
        // Chromium reads a file this small ahead of the seek (observed: consecutive chunks to the end), so the seek is
        // served from range reads already made rather than a jump; the remux tests cover arbitrary ranges.
        long furthest = 0, total = 0;
        foreach (var (_, asked, answered) in seen)
        {
            Assert.StartsWith("bytes=", Assert.IsType<string>(asked), StringComparison.Ordinal);
            var contentRange = Assert.IsType<string>(answered);
            var slash = contentRange.IndexOf('/', StringComparison.Ordinal);
            var span = contentRange["bytes ".Length..slash];
            furthest = Math.Max(furthest, long.Parse(span[(span.IndexOf('-', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture) + 1);
            total = long.Parse(contentRange[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.True(seen.Count >= 2, "the element read the recording in one request");
        Assert.True(furthest > total / 2, $"the element read only {furthest} of {total} bytes");
        Assert.Empty(browser.Errors);

        await leg.WaitAsync(TimeSpan.FromSeconds(60));
        (await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null)).EnsureSuccessStatusCode();
    }
}
