using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Calls;
using Talko.Core.Ephemeral;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// A claim that lapses while its owner is alive (a renewal came late: a stalled process, a slow Redis) and that nobody
/// else took is claimed again by the owner; its legs are not hung up. Seen in scripts/bluegreen.sh at load 16: the
/// owner lost calls it was still mixing.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class ClaimLapseCallTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly CallInstances instances = new(postgres, redis);
    private readonly CapturedLogs logs = new();
    private TalkoHost a = null!;
    private int sipPort;

    public Task InitializeAsync()
    {
        (a, sipPort) = instances.StartHost("lapse-a", logs: logs);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task An_owner_whose_claim_lapsed_with_nobody_taking_it_claims_it_again_and_keeps_the_legs()
    {
        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("lapse-a", call.OwnerInstanceId);

        // The leg holds for 6 s and hangs up itself; a BYE from the server would fail the sipp run.
        await using var peer = new CallAudioPeer();
        var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(6));
        await CallsTestKit.MediaFlowingAsync(peer, leg);

        // The claim vanishes as if it had expired between two renewals.
        var store = a.Services.GetRequiredService<IEphemeralStore>();
        var keys = a.Services.GetRequiredService<KeySpace>();
        Assert.True(await store.DeleteAsync(keys.CallOwner(call.Id.ToString())).WaitAsync(TimeSpan.FromSeconds(5)));

        var ownership = a.Services.GetRequiredService<CallOwnership>();
        await TestTimeouts.EventuallyAsync(() => ownership.FindOwnerAsync(call.Id.ToString()), o => o == "lapse-a", TimeSpan.FromSeconds(10), "the claim taken again");
        Assert.Contains(call.Id, a.Services.GetRequiredService<CallHost>().OwnedCalls);
        Assert.Contains(logs.Lines, l => l.Contains($"The claim on call {call.Id} lapsed", StringComparison.Ordinal));

        var result = await leg.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, $"the leg did not end by its own BYE: {result}");
        Assert.DoesNotContain(logs.Lines, l => l.Contains("was lost; its legs here are hung up", StringComparison.Ordinal));
    }
}
