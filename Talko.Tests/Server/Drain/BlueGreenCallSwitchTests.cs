using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Talko.LoadClient;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Drain;

/// <summary>
/// The blue/green switch with realtime clients and calls, all real processes on loopback: two calls (sipp legs with
/// audio, two per call) end before blue's call deadline, one is still live at it and moves to green; blue refers its
/// legs there (REFER), and they continue on green. Nothing is lost, no call is dropped, and green logs the audio gap
/// each moved participant suffered.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed partial class BlueGreenCallSwitchTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Jitter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CloseAfter = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(7);
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"bluegreen-calls-{Guid.NewGuid():N}");
    private readonly CancellationTokenSource stopSipp = new();

    [Fact]
    public async Task Switching_with_calls_drops_none_and_the_live_call_moves_to_green_by_refer_with_each_gap_logged()
    {
        await using var codes = new SmtpCodeSink();
        var blueSip = FreePort.Find();
        await using var blue = await TalkoProcess.StartAsync(Options("blue", codes.Port, blueSip));
        var load = new LoadOptions
        {
            Addresses = [blue.BaseAddress],
            Users = 12,
            UsersPerConversation = 4,
            PostInterval = TimeSpan.FromMilliseconds(400),
        };
        await using var run = await LoadRun.StartAsync(load, codes, output.WriteLine).WaitAsync(TestTimeouts.Long);

        // Three calls on blue, two members in each: the first two end by themselves, the last is live at the deadline.
        var legs = await run.PlaceCallsAsync(3, 2).WaitAsync(TestTimeouts.Long);
        var movedCall = legs[^1].CallId;
        var endingEarly = legs.Where(l => l.CallId != movedCall).ToList();
        var moving = legs.Where(l => l.CallId == movedCall).ToList();
        Assert.All(legs, l => Assert.Equal(blueSip, l.Port));
        var shortCalls = SippCallLegs.RunAsync($"127.0.0.1:{blueSip}", endingEarly, ownLength: TimeSpan.FromSeconds(5), afterMove: TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(90), stopSipp.Token);
        var movedLegs = SippCallLegs.RunAsync($"127.0.0.1:{blueSip}", moving, ownLength: TimeSpan.FromSeconds(100), afterMove: TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(120), stopSipp.Token);

        using var starter = Client(blue, run.Users.First(u => u.UserId == moving[0].UserId));
        var joined = TestTimeouts.EventuallyAsync(async () => (await starter.GetFromJsonAsync<CallView>($"v1/calls/{movedCall}", TalkoJson.Options))!.Participants.Count == 2,
            TestTimeouts.Long, "both legs of the call to move joined on blue"); // one sipp process per leg: slow to start on a loaded machine
        if (await Task.WhenAny(joined, movedLegs) == movedLegs)
        {
            Assert.Fail("the legs of the call to move ended before they joined: " + await movedLegs + "\n" + blue.Output[Math.Max(0, blue.Output.Length - 4000)..]);
        }

        try
        {
            await joined;
        }
        catch (Exception)
        {
            // Whatever kept the legs out (the sipp runs are still going: their output is not in yet), blue's log says.
            output.WriteLine(string.Join('\n', blue.Output.Split('\n').Where(l => l.Contains("Sip", StringComparison.Ordinal) || l.Contains("Calls", StringComparison.Ordinal)).TakeLast(60)));
            throw;
        }

        // Green joins the clients' "load balancer", then blue drains.
        var greenSip = FreePort.Find();
        await using var green = await TalkoProcess.StartAsync(Options("green", codes.Port, greenSip));
        await SwitchInstances.WaitReadyAsync(green);
        run.AddInstance(green.BaseAddress);

        // Only the live call is left to move at the deadline: the others ended on blue (their legs hung up after 5 s,
        // then the empty-call grace). Waited for rather than timed, since a loaded machine delays the legs' start.
        foreach (var shortCall in endingEarly.GroupBy(l => l.CallId))
        {
            using var member = Client(blue, run.Users.First(u => u.UserId == shortCall.First().UserId));
            await TestTimeouts.EventuallyAsync(() => member.GetCallAsync(shortCall.Key), c => c.State == "ended", TestTimeouts.Long, $"call {shortCall.Key} to end on blue");
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        var drainStarted = DateTimeOffset.UtcNow;
        var drainStartedInRun = run.Counters.SinceStart;
        await blue.TerminateAsync();
        var blueExited = DateTimeOffset.UtcNow;
        output.WriteLine($"blue {blue.BaseAddress.Authority} exited {(blueExited - drainStarted).TotalSeconds:F1} s after SIGTERM (sent {drainStartedInRun.TotalSeconds:F0} s into the load run); green is {green.BaseAddress.Authority}");
        output.WriteLine(string.Join('\n', blue.Output.Split('\n').Where(l => l.Contains("Server.Drain", StringComparison.Ordinal) || l.Contains("handed to", StringComparison.Ordinal))));

        // The moved call: green owns it and both participants are back, there, while they talk on.
        using var starterOnGreen = Client(green, run.Users.First(u => u.UserId == moving[0].UserId));
        var onGreen = await CallsOnGreenAsync(starterOnGreen, movedCall, green.Options.InstanceId);
        Assert.Equal(moving.Select(l => l.UserId).Order(), onGreen.Participants.Select(p => p.UserId).Order());

        var early = await shortCalls.WaitAsync(TimeSpan.FromSeconds(100));
        output.WriteLine($"calls ending before the deadline: {early}");
        var moved = await movedLegs.WaitAsync(TimeSpan.FromSeconds(130));
        output.WriteLine($"moved call: {moved}");
        Assert.True(early.Successful == endingEarly.Count && early.Failed == 0, early.ToString());
        Assert.True(moved.Successful == moving.Count && moved.Failed == 0, moved.ToString());

        // Each moved participant's gap is logged by green; none for the calls that ended on blue.
        var gaps = GapLine().Matches(green.Output).Select(m => (Call: Guid.Parse(m.Groups[2].Value), User: Guid.Parse(m.Groups[1].Value), Ms: long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();
        foreach (var gap in gaps)
        {
            output.WriteLine($"gap: user {gap.User} call {gap.Call}: {gap.Ms} ms");
        }

        Assert.Equal(moving.Select(l => l.UserId).Order(), gaps.Where(g => g.Call == movedCall).Select(g => g.User).Order());
        Assert.DoesNotContain(gaps, g => g.Call != movedCall);
        var worst = gaps.Max(g => g.Ms);
        output.WriteLine($"worst audio gap of a moved participant: {worst} ms");
        Assert.InRange(worst, 0, 10_000);

        // The recording goes on in a second segment, green's.
        using (var end = await starterOnGreen.PostAsync($"v1/calls/{movedCall}/end", null))
        {
            Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        }

        var timeline = await TestTimeouts.EventuallyAsync(() => starterOnGreen.GetFromJsonAsync<CallTimelineView>($"v1/calls/{movedCall}/timeline", TalkoJson.Options)!,
            t => t!.Segments.Count >= 2 && t.Segments.All(s => s.State == "Complete"), TestTimeouts.Default, "two complete segments");
        output.WriteLine(string.Join("\n", timeline!.Segments.Select(s => $"segment {s.Index} {s.InstanceId} base {s.BaseOffsetMs} duration {s.DurationMs}")));
        Assert.Equal([blue.Options.InstanceId, green.Options.InstanceId], timeline.Segments.Select(s => s.InstanceId));
        Assert.All(timeline.Segments, s => Assert.True(s.DurationMs > 0, $"segment {s.Index} is empty"));

        // And the realtime clients fared as in the switch without calls.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var report = await run.StopAsync().WaitAsync(TestTimeouts.Long);
        output.WriteLine(report.ToText());
        Assert.True(report.ItemsPosted > 50, $"only {report.ItemsPosted} items posted");
        Assert.Equal(0, report.ItemsLost);
        Assert.Equal(0, report.Duplicates);
        Assert.Equal(0, report.PostsAbandoned);
        Assert.Equal(0, report.HttpRequestsFailed);
        Assert.Equal(0, report.UnexpectedDisconnects);
        Assert.Equal(load.Users, report.ReconnectsAsked);
        Assert.Equal(report.ReconnectsAsked, report.ClientsBack);
        var slack = TimeSpan.FromSeconds(2);
        Assert.True(report.LastClientBackAt <= drainStarted + Grace + Window + Jitter + CloseAfter + slack, $"last client back {(report.LastClientBackAt - drainStarted)?.TotalSeconds:F1} s into the drain");
        Assert.True(blue.HasExited);
    }

    public void Dispose()
    {
        stopSipp.Cancel();
        stopSipp.Dispose();
        TestDirectory.Delete(shared);
    }

    private static HttpClient Client(TalkoProcess instance, LoadUser user)
    {
        var client = instance.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", user.AccessToken);
        return client;
    }

    private static async Task<CallView> CallsOnGreenAsync(HttpClient client, Guid callId, string green) =>
        (await TestTimeouts.EventuallyAsync(() => client.GetFromJsonAsync<CallView>($"v1/calls/{callId}", TalkoJson.Options)!,
            c => c!.OwnerInstanceId == green && c.Participants.Count == 2, TestTimeouts.Default, "the moved call on green with both participants"))!;

    private TalkoHostOptions Options(string name, int smtpPort, int sipPort)
    {
        var rtpBase = TestRtpPorts.Block(100);
        return TalkoHostOptions.ScaledOut(postgres, redis) with
        {
            InstanceId = $"{name}-{Guid.NewGuid():N}"[..12],
            Settings = new Dictionary<string, string?>(SwitchInstances.Settings(smtpPort, Grace, Window, Jitter, CloseAfter))
            {
                ["Talko:Drain:CallDeadline"] = CallDeadline.ToString(),
                ["Talko:Sip:UdpPort"] = sipPort.ToString(CultureInfo.InvariantCulture),
                ["Talko:Sip:TcpPort"] = sipPort.ToString(CultureInfo.InvariantCulture),
                ["Talko:Sip:FallbackToFreePort"] = "false",
                ["Talko:Media:RtpPorts:MinPort"] = rtpBase.ToString(CultureInfo.InvariantCulture),
                ["Talko:Media:RtpPorts:MaxPort"] = (rtpBase + 99).ToString(CultureInfo.InvariantCulture),
                ["Talko:Media:Recording:Directory"] = Path.Combine(shared, "recordings"),
                ["Talko:Blobs:Directory"] = Path.Combine(shared, "blobs"),
                // Calls whose legs hung up end soon; long enough that a call's legs, slow to start on a loaded machine,
                // still find it live.
                ["Talko:Calls:EmptyCallGrace"] = "00:00:10",
            },
        };
    }

    [GeneratedRegex(@"User ([0-9a-f-]{36}) rejoined moved call ([0-9a-f-]{36}) after an audio gap of (\d+) ms")]
    private static partial Regex GapLine();
}
