using System.Net;
using System.Net.Http.Json;
using Talko.Server.Features.Calls;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>Settings and helpers shared by the call tests: fast heartbeats, free SIP ports, disjoint RTP ranges, shared storage.</summary>
internal static class CallsTestKit
{

    public static Dictionary<string, string?> InstanceSettings(string sharedDirectory, int sipPort)
    {
        var rtpBase = TestRtpPorts.Block(200);
        return new()
        {
            ["Talko:Sip:UdpPort"] = sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Talko:Sip:TcpPort"] = sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Talko:Media:RtpPorts:MinPort"] = rtpBase.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Talko:Media:RtpPorts:MaxPort"] = (rtpBase + 199).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Talko:Media:Recording:Directory"] = Path.Combine(sharedDirectory, "recordings"),
            ["Talko:Blobs:Directory"] = Path.Combine(sharedDirectory, "blobs"),
            ["Talko:Instance:HeartbeatInterval"] = "00:00:00.500",
            // Short enough that an owner's death heals quickly, long enough (8 renewals) that a loaded CI machine never loses a live claim.
            ["Talko:Instance:EntryTimeToLive"] = "00:00:04",
            ["Talko:Calls:Ownership:ClaimTimeToLive"] = "00:00:04",
            ["Talko:Calls:RenewInterval"] = "00:00:00.500",
            ["Talko:Calls:SweepInterval"] = "00:00:01",
            ["Talko:Calls:EmptyCallGrace"] = "00:01:00",
        };
    }

    /// <summary>
    /// The most talk a second of tone may show on the timeline: 1.7 s, or what the test's paced sender took to send it plus
    /// 0.7 s when a loaded machine stalled it and it sent the held-back frames late.
    /// </summary>
    public static long TalkBound(TimeSpan sentOver) => Math.Max(1700, (long)sentOver.TotalMilliseconds + 700);

    public static async Task<CallView> StartCallAsync(this HttpClient client, Guid conversationId)
    {
        using var response = await client.PostAsync($"/v1/conversations/{conversationId}/calls", null);
        return await ConversationsTestExtensions.ReadAsync<CallView>(response, HttpStatusCode.Created);
    }

    public static async Task<JoinCallResponse> JoinAsync(this HttpClient client, Guid callId)
    {
        using var response = await client.PostAsync($"/v1/calls/{callId}/join", null);
        return await ConversationsTestExtensions.ReadAsync<JoinCallResponse>(response, HttpStatusCode.OK);
    }

    public static async Task<CallView> GetCallAsync(this HttpClient client, Guid callId) =>
        (await client.GetFromJsonAsync<CallView>($"/v1/calls/{callId}", TalkoJson.Options))!;

    public static async Task<CallTimelineView> GetTimelineAsync(this HttpClient client, Guid callId) =>
        (await client.GetFromJsonAsync<CallTimelineView>($"/v1/calls/{callId}/timeline", TalkoJson.Options))!;

    /// <summary>A sipp leg into a call: straight to <paramref name="sipAddress"/>, or through a redirect when it is not the owner.</summary>
    public static Task<SippRunner.Result> SippLegAsync(string scenario, string sipAddress, Guid callId, TestUser user, int rtpPort, TimeSpan hold) =>
        SippRunner.RunAsync(scenario, sipAddress,
            ["-i", "127.0.0.1", "-p", FreePort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "u1", "-s", callId.ToString(),
             "-au", user.Sip.Username, "-ap", user.Sip.Secret!, "-set", "rtpport", rtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-set", "user", user.Sip.Username, "-d", ((int)hold.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-timeout", "60s", "-mp", FreePort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(60));

    /// <summary>
    /// A member's SIP device, as sipp: REGISTERs from <paramref name="devicePort"/> with the device's digest credentials,
    /// then (a second sipp on the same port, so the binding's source address reaches it) waits to be rung into a call,
    /// answers with media at <paramref name="rtpPort"/>, and expects the server's BYE. Returns the ringing leg's run.
    /// </summary>
    public static async Task<Task<SippRunner.Result>> RegisterAndAwaitRingAsync(string sipAddress, TestUser user, int devicePort, int rtpPort)
    {
        var port = devicePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var registered = await SippRunner.RunAsync("register.xml", sipAddress,
            ["-i", "127.0.0.1", "-p", port, "-t", "u1", "-s", user.Sip.Username, "-au", user.Sip.Username, "-ap", user.Sip.Secret!], TimeSpan.FromSeconds(30));
        if (registered.ExitCode != 0)
        {
            throw new InvalidOperationException("The device's REGISTER failed: " + registered);
        }

        return SippRunner.RunAsync("ring-answer.xml", "",
            ["-i", "127.0.0.1", "-p", port, "-t", "u1", "-set", "rtpport", rtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-timeout", "90s", "-mp", FreePort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(90));
    }

    /// <summary>An INVITE into <paramref name="callId"/> that must be refused with 503 and a Retry-After.</summary>
    public static Task<SippRunner.Result> SippRefusedAsync(string sipAddress, Guid callId, TestUser user) =>
        SippRunner.RunAsync("invite-refused.xml", sipAddress,
            ["-i", "127.0.0.1", "-p", FreePort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "u1", "-s", callId.ToString(),
             "-set", "rtpport", "40000", "-set", "user", user.Sip.Username],
            TimeSpan.FromSeconds(30));

    /// <summary>Waits until the server's audio reaches the peer; fails with sipp's report if the leg ended first.</summary>
    public static async Task MediaFlowingAsync(CallAudioPeer peer, Task<SippRunner.Result> leg)
    {
        var first = await Task.WhenAny(peer.Server, leg, Task.Delay(TimeSpan.FromSeconds(15)));
        if (first == leg)
        {
            throw new InvalidOperationException("The sipp leg ended before media flowed: " + await leg);
        }

        if (first != peer.Server)
        {
            throw new TimeoutException("No RTP from the server within 15 s.");
        }
    }

    /// <summary>Strongest Goertzel amplitude of <paramref name="frequency"/> over 100 ms windows.</summary>
    public static double PeakAmplitude(ReadOnlySpan<short> samples, double frequency)
    {
        var peak = 0.0;
        for (var start = 0; start + 800 <= samples.Length; start += 400)
        {
            peak = Math.Max(peak, Talko.Tests.Core.Media.AudioSignals.Amplitude(samples.Slice(start, 800), frequency));
        }

        return peak;
    }
}
