using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// Call quality in the view (ADR 0901): a participant who sends clean audio is graded on no loss; once one packet in
/// five is lost on the way, the owner's RTCP figures show the loss, the E-model grade drops to poor, and members hear
/// it live as callUpdated.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class CallQualityTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncDisposable
{
    private readonly CallInstances instances = new(postgres, redis, "quality");

    [Fact]
    public async Task Induced_packet_loss_shows_in_the_participants_quality_and_drops_the_grade_live()
    {
        var (host, sipPort) = instances.StartHost("quality", s =>
        {
            s["Talko:Media:RtcpInterval"] = "00:00:01";
            s["Talko:Calls:QualityInterval"] = "00:00:01";
        });
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await host.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Quality");

        var updates = Channel.CreateUnbounded<CallView>();
        await using var hub = host.CreateHubConnection(bob);
        hub.On<CallView>(CallChanged.UpdatedName, view => updates.Writer.TryWrite(view));
        await hub.StartAndWaitUntilReadyAsync();

        var call = await alice.Client.StartCallAsync(conversation.Id);
        await using var peer = new CallAudioPeer();
        var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(25));
        await CallsTestKit.MediaFlowingAsync(peer, leg);

        // Clean audio: measured, nothing lost.
        var talking = peer.TalkAsync(200, _ => 600);
        var clean = await QualityAsync(bob.Client, call.Id, q => q is { LossPercent: 0 }, "a clean interval measured");
        await talking.WaitAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"clean: {clean}");
        Assert.NotEqual("poor", clean.Grade);

        // One packet in five lost on the way: about 20 % loss, R near 50 (G.107 band "poor").
        talking = peer.TalkAsync(400, _ => 600, lose: n => n % 5 == 2);
        var lossy = await QualityAsync(bob.Client, call.Id, q => q is { Grade: "poor" }, "the poor grade");
        output.WriteLine($"lossy: {lossy}");
        Assert.InRange(lossy.LossPercent, 12, 30);
        Assert.True(lossy.Mos < clean.Mos, $"MOS {lossy.Mos} should be below the clean {clean.Mos}");

        // Members heard it without asking: a callUpdated carried the poor grade.
        var pushed = await ReadUntilAsync(updates.Reader, v => v.Participants.Any(p => p.UserId == alice.UserId && p.Quality?.Grade == "poor"));
        Assert.Equal(call.Id, pushed.Id);
        await talking.WaitAsync(TimeSpan.FromSeconds(30));

        var result = await leg.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        var ended = await TestTimeouts.EventuallyAsync(() => bob.Client.GetCallAsync(call.Id),
            c => c.Participants.Count == 0, TimeSpan.FromSeconds(15), "alice to leave");
        Assert.All(ended.Left!, p => Assert.Null(p.Quality));
    }

    public async ValueTask DisposeAsync() => await instances.DisposeAsync();

    private static async Task<CallQualityView> QualityAsync(HttpClient client, Guid callId, Func<CallQualityView?, bool> done, string what)
    {
        var view = await TestTimeouts.EventuallyAsync(() => client.GetCallAsync(callId),
            c => c.Participants.Count == 1 && done(c.Participants[0].Quality), TimeSpan.FromSeconds(20), what);
        return view.Participants[0].Quality!;
    }

    private static async Task<CallView> ReadUntilAsync(ChannelReader<CallView> reader, Func<CallView, bool> match)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        while (true)
        {
            var view = await reader.ReadAsync(timeout.Token);
            if (match(view))
            {
                return view;
            }
        }
    }
}
