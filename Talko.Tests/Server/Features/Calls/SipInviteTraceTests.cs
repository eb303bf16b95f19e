using System.Diagnostics;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;
using Talko.Tests.Server.Hosting.Telemetry;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// A SIP INVITE as a trace (ADR 0900): the challenged first INVITE and the admitted second are each a "SIP INVITE" span
/// carrying the call id and the outcome; the admitted one holds the admission's database and Redis work.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class SipInviteTraceTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncDisposable
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"sip-trace-{Guid.NewGuid():N}");

    [Fact]
    public async Task An_INVITE_is_a_span_with_the_call_id_through_admission_into_the_call()
    {
        var spans = new TraceCapture();
        var sipPort = Talko.Tests.Infrastructure.Sip.FreePort.Find();
        await using var host = RequestTraceTests.TracedHost(TalkoHostOptions.ScaledOut(postgres, redis), spans, CallsTestKit.InstanceSettings(shared, sipPort));
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Traced call");
        var call = await alice.Client.StartCallAsync(conversation.Id);

        await using var peer = new CallAudioPeer();
        var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(1));
        await CallsTestKit.MediaFlowingAsync(peer, leg);

        var invites = await spans.WaitForAsync(all =>
        {
            var found = all.Where(a => a.Source.Name == "Talko" && a.DisplayName == "SIP INVITE" && (a.GetTagItem("talko.call.id") as string) == call.Id.ToString()).ToList();
            return found.Any(a => (a.GetTagItem("talko.sip.outcome") as string) == "joined") ? found : null;
        }, "the admitted INVITE's span");
        foreach (var invite in invites)
        {
            output.WriteLine($"SIP INVITE {invite.GetTagItem("talko.sip.outcome")} {invite.Duration.TotalMilliseconds:F1} ms transport {invite.GetTagItem("network.transport")}");
        }

        Assert.Contains(invites, a => (a.GetTagItem("talko.sip.outcome") as string) == "challenged");
        var joined = invites.Single(a => (a.GetTagItem("talko.sip.outcome") as string) == "joined");
        Assert.Equal(ActivityKind.Server, joined.Kind);
        Assert.Equal("udp", joined.GetTagItem("network.transport"));
        var admission = await spans.WaitForAsync(all =>
        {
            var trace = all.Where(a => a.TraceId == joined.TraceId && a != joined).ToList();
            return trace.Any(TraceCapture.IsDatabase) && trace.Any(TraceCapture.IsRedis) ? trace : null;
        }, "database and Redis spans under the admitted INVITE");
        foreach (var span in admission)
        {
            output.WriteLine($"  {span.Source.Name,-55} {span.DisplayName}");
        }

        Assert.All(admission, a => Assert.True(TraceCapture.Descends(a, joined, [.. admission, joined]), $"{a.DisplayName} hangs off the INVITE"));
        var result = await leg.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    public ValueTask DisposeAsync()
    {
        TestDirectory.Delete(shared);

        return ValueTask.CompletedTask;
    }
}
