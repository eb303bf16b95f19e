using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// The owner of a live call is a real process that is SIGKILLed mid-call: its claim lapses, the other instance
/// takes the call, clients hear <c>callMoved</c>, and the recording goes on in a second segment after the first
/// (recovered from the dead owner's file on the shared recordings volume).
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class OwnerDeathCallTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly CallInstances instances = new(postgres, redis);
    private TalkoProcess a = null!;
    private TalkoHost b = null!;
    private int sipPortA;
    private int sipPortB;

    public async Task InitializeAsync()
    {
        (b, sipPortB) = instances.StartHost("death-b");
        (a, sipPortA) = await instances.StartProcessAsync("death-a");
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task Killing_the_owner_lets_the_call_be_rejoined_on_the_other_instance_with_the_recording_continuing_in_a_second_segment()
    {
        using var alice = await b.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await b.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        using var aliceOnA = a.CreateClient();
        aliceOnA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alice.Tokens.AccessToken);
        using var bobOnB = b.CreateClient(bob.Tokens.AccessToken);

        var moved = Channel.CreateUnbounded<CallMovedView>();
        await using var hub = b.CreateHubConnection(bob);
        hub.On<CallMovedView>("callMoved", m => moved.Writer.TryWrite(m));
        await hub.StartAndWaitUntilReadyAsync();

        var call = await aliceOnA.StartCallAsync(conversation.Id);
        Assert.Equal("death-a", call.OwnerInstanceId);
        var join = await aliceOnA.JoinAsync(call.Id);
        Assert.EndsWith($":{sipPortA}", join.SipUri);

        // Alice talks on A for 1 s; then A dies while she is still in the call.
        await using var alicePeer = new CallAudioPeer();
        var aliceLeg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortA}", call.Id, alice, alicePeer.Port, TimeSpan.FromSeconds(5));
        await CallsTestKit.MediaFlowingAsync(alicePeer, aliceLeg);
        await alicePeer.TalkAsync(100, n => n < 50 ? 1000 : null).WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await a.KillAsync();
        var killedAt = DateTime.UtcNow;

        // Bob rejoins through B: once A's claim lapses, B owns the call and tells the clients.
        var rejoin = await TestTimeouts.EventuallyAsync(async () =>
        {
            using var response = await bobOnB.PostAsync($"/v1/calls/{call.Id}/join", null);
            return response.IsSuccessStatusCode ? await ConversationsTestExtensions.ReadAsync<JoinCallResponse>(response, System.Net.HttpStatusCode.OK) : null;
        }, j => j?.OwnerInstanceId == "death-b", TimeSpan.FromSeconds(15), "B to take the call (after A's registry entry and claim lapse)");
        output.WriteLine($"rejoin possible {(DateTime.UtcNow - killedAt).TotalSeconds:F1} s after the kill: {rejoin!.SipUri}");
        Assert.Equal("death-b", rejoin.OwnerInstanceId);
        Assert.EndsWith($":{sipPortB}", rejoin.SipUri);
        var movedEvent = await moved.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(call.Id, movedEvent.CallId);
        Assert.Equal(rejoin.SipUri, movedEvent.SipUri);

        await using var bobPeer = new CallAudioPeer();
        var bobLeg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortB}", call.Id, bob, bobPeer.Port, TimeSpan.FromSeconds(3));
        await CallsTestKit.MediaFlowingAsync(bobPeer, bobLeg);
        await bobPeer.TalkAsync(75, n => n < 50 ? 1500 : null).WaitAsync(TimeSpan.FromSeconds(10));
        var bobResult = await bobLeg.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(bobResult.ExitCode == 0, bobResult.ToString());

        using (var end = await bobOnB.PostAsync($"/v1/calls/{call.Id}/end", null))
        {
            // Bob is neither the starter nor an admin.
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, end.StatusCode);
        }

        using var aliceOnB = b.CreateClient(alice.Tokens.AccessToken);
        using (var end = await aliceOnB.PostAsync($"/v1/calls/{call.Id}/end", null))
        {
            end.EnsureSuccessStatusCode();
        }

        var timeline = await TestTimeouts.EventuallyAsync(() => bobOnB.GetTimelineAsync(call.Id),
            t => t.Segments.Count == 2 && t.Segments.All(s => s.State == "Complete"), TimeSpan.FromSeconds(15), "two complete segments");
        output.WriteLine(string.Join("\n", timeline.Segments.Select(s => $"segment {s.Index} {s.InstanceId} base {s.BaseOffsetMs} duration {s.DurationMs}")));
        Assert.Equal(["death-a", "death-b"], timeline.Segments.Select(s => s.InstanceId));
        Assert.InRange(timeline.Segments[0].DurationMs!.Value, 1500, 10_000);
        Assert.Equal(timeline.Segments[0].DurationMs, timeline.Segments[1].BaseOffsetMs);
        Assert.Equal(timeline.Segments.Sum(s => s.DurationMs), timeline.DurationMs);

        var whole = await bobOnB.GetByteArrayAsync($"/v1/calls/{call.Id}/recording?format=wav");
        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(whole.AsSpan(40));
        Assert.Equal(whole.Length - 44, (int)dataLength);
        Assert.InRange(dataLength / 16, timeline.DurationMs - 1, timeline.DurationMs + 1);
        var pcm = new short[dataLength / 2];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = BinaryPrimitives.ReadInt16LittleEndian(whole.AsSpan(44 + (2 * i)));
        }

        var split = (int)(timeline.Segments[1].BaseOffsetMs * 8);
        Assert.True(CallsTestKit.PeakAmplitude(pcm.AsSpan(0, split), 1000) > 3000, "Alice's tone is missing from the first segment");
        Assert.True(CallsTestKit.PeakAmplitude(pcm.AsSpan(split), 1500) > 3000, "Bob's tone is missing from the second segment");
        Assert.True(CallsTestKit.PeakAmplitude(pcm.AsSpan(split), 1000) < 500, "the first segment's audio leaked into the second");

        // The leg whose owner died ends on sipp's own timers; it must not outlive the test.
        await aliceLeg.WaitAsync(TimeSpan.FromSeconds(90));
    }
}
