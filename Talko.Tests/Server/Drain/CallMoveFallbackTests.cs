using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Instances;
using Talko.Server.Drain;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Drain;

/// <summary>
/// A moved call's SIP device that does not take the REFER: the draining instance hangs its leg up and, because the
/// device is registered, the new owner rings it back into the call (ADR 0710), logging the participant's audio gap.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class CallMoveFallbackTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly CallInstances instances = new(postgres, redis, "fallback");
    private readonly CapturedLogs logsB = new();
    private TalkoHost a = null!;
    private TalkoHost b = null!;
    private int sipPortA;

    public Task InitializeAsync()
    {
        (a, sipPortA) = instances.StartHost("fallback-a", settings =>
        {
            settings["Talko:Drain:CallTransferAnswerTimeout"] = "00:00:01";
            // A must not ring the phone when the call starts: only B's ring after the move may reach it.
            settings["Talko:Calls:RingDevices"] = "false";
        });
        (b, _) = instances.StartHost("fallback-b", logs: logsB);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task A_registered_device_that_ignores_the_refer_is_rung_from_the_new_owner()
    {
        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");

        // Alice's phone registers (its contact is the port the answering sipp listens on later).
        var phonePort = FreePort.Find();
        var registered = await SippRunner.RunAsync("register.xml", $"127.0.0.1:{sipPortA}",
            ["-i", "127.0.0.1", "-p", phonePort.ToString(CultureInfo.InvariantCulture), "-t", "u1", "-s", alice.Sip.Username, "-au", alice.Sip.Username, "-ap", alice.Sip.Secret!],
            TimeSpan.FromSeconds(30));
        Assert.True(registered.ExitCode == 0, registered.ToString());

        // The call starts on A and Alice's phone dials in with a scenario that knows nothing of REFER.
        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("fallback-a", call.OwnerInstanceId);
        await using var peer = new CallAudioPeer();
        var legAtA = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortA}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(30));
        await CallsTestKit.MediaFlowingAsync(peer, legAtA);
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 1, TimeSpan.FromSeconds(10), "Alice in the call on A");
        await TestTimeouts.EventuallyAsync(() => a.Services.GetRequiredService<InstanceRegistry>().FindAsync("fallback-b"),
            d => d is { State: InstanceState.Serving, SipAddress.Length: > 0 }, TimeSpan.FromSeconds(10), "B serving with SIP in the registry");

        // Now the phone listens at its registered contact for B's INVITE, and A moves the call.
        var answering = SippRunner.RunAsync("answer-call.xml", "127.0.0.1:1",
            ["-i", "127.0.0.1", "-p", phonePort.ToString(CultureInfo.InvariantCulture), "-t", "u1", "-mp", FreePort.Find().ToString(CultureInfo.InvariantCulture),
             "-timeout", "60s", "-recv_timeout", "40000"],
            TimeSpan.FromSeconds(60));
        await TestTimeouts.EventuallyAsync(() => FreePort.IsUdpBound(phonePort), TestTimeouts.Default);
        var mover = a.Services.GetRequiredService<ILiveCallMover>();
        var result = await mover.MoveAwayAsync(call.Id.ToString("D"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"move result: {result}");
        Assert.Equal("fallback-b", result.NewOwner);

        // A hung the unreferable leg up; B rang the phone, which answered: Alice is back, on B, and her gap is logged.
        var atA = await legAtA.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"leg at A: exit {atA.ExitCode}");
        using var aliceOnB = b.CreateClient(alice.Tokens.AccessToken);
        var onB = await TestTimeouts.EventuallyAsync(() => aliceOnB.GetCallAsync(call.Id), c => c.OwnerInstanceId == "fallback-b" && c.Participants.Count == 1,
            TimeSpan.FromSeconds(20), "Alice rung back into the call on B");
        Assert.Equal(alice.UserId, Assert.Single(onB.Participants).UserId);
        var gapLine = await TestTimeouts.EventuallyAsync(
            () => Task.FromResult(logsB.Lines.FirstOrDefault(l => l.Contains($"rejoined moved call {call.Id}", StringComparison.Ordinal))),
            l => l is not null, TimeSpan.FromSeconds(10), "B to log the rejoin's audio gap");
        output.WriteLine(gapLine);
        Assert.Contains(alice.UserId.ToString("D"), gapLine!);

        // Ending the call hangs up the rung leg: the phone's call ends with B's BYE, answered.
        using (var end = await aliceOnB.PostAsync($"/v1/calls/{call.Id}/end", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            end.EnsureSuccessStatusCode();
        }

        var phone = await answering.WaitAsync(TimeSpan.FromSeconds(70));
        Assert.True(phone.ExitCode == 0, phone.ToString());
    }
}
