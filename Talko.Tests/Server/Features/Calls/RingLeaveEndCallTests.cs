using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Calls;
using Talko.Server.Features.Calls;
using Talko.Server.Sip;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// A call's life through the API with real SIP peers on two instances: a member's device registered at B is rung by
/// the owner A when the call starts and hears the other leg; the member leaves through the API and their device gets
/// a BYE; when the last leg is gone the call ends by itself after <c>Talko:Calls:EmptyCallGrace</c> (2 s here).
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class RingLeaveEndCallTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const double AliceTone = 1000;
    private const double BobTone = 1500;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);
    private readonly CallInstances instances = new(postgres, redis);
    private TalkoHost a = null!;
    private TalkoHost b = null!;
    private int sipPortA;
    private int sipPortB;

    public Task InitializeAsync()
    {
        (a, sipPortA) = instances.StartHost("ring-a", ShortGrace);
        (b, sipPortB) = instances.StartHost("ring-b", ShortGrace);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task A_device_registered_at_B_is_rung_by_the_owner_A_hears_the_call_is_hung_up_when_its_user_leaves_and_the_empty_call_ends_by_itself()
    {
        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await a.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        using var bobOnB = b.CreateClient(bob.Tokens.AccessToken);

        // Bob's phone registers with B; the binding lives in Redis, so A (the call's owner) finds it.
        await using var bobPeer = new CallAudioPeer();
        var bobDevice = await CallsTestKit.RegisterAndAwaitRingAsync($"127.0.0.1:{sipPortB}", bob, FreePort.Find(), bobPeer.Port).WaitAsync(TimeSpan.FromSeconds(30));
        var bindings = await a.Services.GetRequiredService<SipEngineHost>().Engine!.Bindings.GetByUserAsync(bob.UserId.ToString("D")).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(bob.DeviceId.ToString("D"), Assert.Single(bindings).DeviceId);

        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ring-a", call.OwnerInstanceId);

        // A rang Bob's phone; it answered and is a participant (with its device) before anyone else joined.
        await CallsTestKit.MediaFlowingAsync(bobPeer, bobDevice);
        var rung = await TestTimeouts.EventuallyAsync(() => bobOnB.GetCallAsync(call.Id), c => c.Participants.Count == 1, TimeSpan.FromSeconds(10), "Bob's rung device in the call");
        Assert.Equal(bob.UserId, rung.Participants[0].UserId);
        Assert.Equal(bob.DeviceId, rung.Participants[0].DeviceId);

        // Alice joins from her phone; each hears the other.
        await using var alicePeer = new CallAudioPeer();
        var aliceLeg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortA}", call.Id, alice, alicePeer.Port, TimeSpan.FromSeconds(8));
        await CallsTestKit.MediaFlowingAsync(alicePeer, aliceLeg);
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 2, TimeSpan.FromSeconds(10), "two participants");
        await Task.WhenAll(alicePeer.TalkAsync(75, n => n < 50 ? AliceTone : null), bobPeer.TalkAsync(75, n => n < 50 ? BobTone : null)).WaitAsync(TimeSpan.FromSeconds(15));
        // The mix goes on reaching both phones after they stop talking: wait for each tone to arrive, not for a set time.
        await TestTimeouts.EventuallyAsync(() => CallsTestKit.PeakAmplitude(bobPeer.Heard, AliceTone) > 3000, TimeSpan.FromSeconds(10), "Bob's rung device to hear Alice");
        await TestTimeouts.EventuallyAsync(() => CallsTestKit.PeakAmplitude(alicePeer.Heard, BobTone) > 3000, TimeSpan.FromSeconds(10), "Alice to hear Bob's rung device");
        output.WriteLine($"bob heard 1000 Hz peak {CallsTestKit.PeakAmplitude(bobPeer.Heard, AliceTone):F0}; alice heard 1500 Hz peak {CallsTestKit.PeakAmplitude(alicePeer.Heard, BobTone):F0}");
        Assert.True(CallsTestKit.PeakAmplitude(bobPeer.Heard, BobTone) < 500, "Bob heard himself");

        // Bob leaves through B's API: A, which holds his leg, hangs it up (his phone gets the BYE it waits for); Alice stays.
        using (var leave = await bobOnB.PostAsync($"/v1/calls/{call.Id}/leave", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(HttpStatusCode.Accepted, leave.StatusCode);
        }

        var bobResult = await bobDevice.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(bobResult.ExitCode == 0, "bob's device: " + bobResult);
        var afterLeave = await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 1 && c.Left?.Count == 1,
            TimeSpan.FromSeconds(10), "Bob gone, Alice still in");
        Assert.Equal("live", afterLeave.State);
        Assert.Equal(alice.UserId, afterLeave.Participants[0].UserId);
        Assert.Null(afterLeave.Participants[0].LeftAt);
        var bobLeft = afterLeave.Left![0];
        Assert.Equal(bob.UserId, bobLeft.UserId);
        Assert.NotNull(bobLeft.LeftAt);
        Assert.True(bobLeft.LeftAt > bobLeft.JoinedAt);

        // Alice hangs up: nobody is left, and after the grace the call ends by itself.
        var aliceResult = await aliceLeg.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(aliceResult.ExitCode == 0, "alice: " + aliceResult);
        var emptiedAt = DateTime.UtcNow;
        var ended = await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.State == "ended", Grace + TimeSpan.FromSeconds(10), "the empty call to end");
        output.WriteLine($"ended {(DateTime.UtcNow - emptiedAt).TotalSeconds:F1} s after the last leg left");
        Assert.Equal(CallService.EndedEmpty, ended.EndReason);
        Assert.Empty(ended.Participants);
        Assert.Null(ended.OwnerInstanceId);
        Assert.True(ended.EndedAt!.Value.UtcDateTime - emptiedAt >= Grace - TimeSpan.FromMilliseconds(600), "the call ended before its grace");

        var items = await alice.Client.ItemsAsync(conversation.Id, "").WaitAsync(TimeSpan.FromSeconds(10));
        var endedItem = Assert.Single(items.Items, i => i.SystemEvent == "call-ended" && i.CallId == call.Id);
        Assert.Equal(ended.RecordedMs, endedItem.CallOffsetMs);
        var ownership = a.Services.GetRequiredService<CallOwnership>();
        await TestTimeouts.EventuallyAsync(() => ownership.FindOwnerAsync(call.Id.ToString()), o => o is null, TimeSpan.FromSeconds(10), "the claim released");
        Assert.DoesNotContain(call.Id, a.Services.GetRequiredService<CallHost>().OwnedCalls);

        var timeline = await TestTimeouts.EventuallyAsync(() => bobOnB.GetTimelineAsync(call.Id), t => t.Segments.Count > 0 && t.Segments.All(s => s.State == "Complete"),
            TimeSpan.FromSeconds(10), "the recording segment closed");
        var segment = Assert.Single(timeline.Segments);
        Assert.Equal("ring-a", segment.InstanceId);
        Assert.True(segment.DurationMs > 2000, $"segment of {segment.DurationMs} ms");
        Assert.Contains(timeline.Markers, m => m.Kind == "talker" && m.UserId == bob.UserId);
        Assert.Contains(timeline.Markers, m => m.Kind == "talker" && m.UserId == alice.UserId);
        Assert.Contains(timeline.Markers, m => m.Kind == "leave" && m.UserId == bob.UserId);
    }

    private static void ShortGrace(Dictionary<string, string?> settings) => settings["Talko:Calls:EmptyCallGrace"] = "00:00:02";
}
