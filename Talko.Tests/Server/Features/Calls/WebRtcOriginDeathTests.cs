using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Core.Media.WebRtc.Sdp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// ADR 0724's "no orphans" for an instance that dies: a WebRTC leg made on the owner for a hub connection on another
/// instance ends when that instance is killed (it cannot say its connection closed). Consent freshness and the DTLS
/// handshake limit are set far beyond the test, so only the owner's liveness check of the leg's origin can end it.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class WebRtcOriginDeathTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncDisposable
{
    private readonly CallInstances instances = new(postgres, redis, "webrtc-origin");

    [Fact]
    public async Task The_owner_ends_the_webrtc_legs_whose_hub_connections_were_on_a_killed_instance()
    {
        var logs = new CapturedLogs();
        var (owner, _) = instances.StartHost("webrtc-origin-owner", s =>
        {
            s["Talko:Media:WebRtc:ConsentTimeout"] = "00:10:00";
            s["Talko:Media:WebRtc:HandshakeTimeout"] = "00:10:00";
        }, logs);
        var (doomed, _) = await instances.StartProcessAsync("webrtc-origin-doomed");
        using var alice = await owner.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Orphans");
        var call = await alice.Client.StartCallAsync(conversation.Id);

        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(doomed.BaseAddress, "hubs/talko"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(alice.Tokens.AccessToken);
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        await hub.StartAsync().WaitAsync(TestTimeouts.Default);
        var answer = await hub.InvokeAsync<string>("JoinCall", call.Id, WebRtcSdpTests.BrowserOffer()).WaitAsync(TestTimeouts.Default);
        Assert.Contains("a=ice-lite", answer, StringComparison.Ordinal);
        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.Any(p => p.UserId == alice.UserId), TestTimeouts.Default,
            "alice's leg, relayed from the doomed instance, as a participant on the owner");

        await doomed.KillAsync();

        await TestTimeouts.EventuallyAsync(
            async () => (await alice.Client.GetCallAsync(call.Id)).Participants.All(p => p.UserId != alice.UserId), TestTimeouts.Long,
            "the owner to end the leg of the killed instance's connection");
        // The owner logs event 7213 after it has ended the legs, so the line may follow the participant's departure.
        await TestTimeouts.EventuallyAsync(
            () => Task.FromResult(logs.Lines.Any(line => line.Contains("webrtc-origin-doomed", StringComparison.Ordinal) && line.Contains("is gone: the legs ended", StringComparison.Ordinal))),
            TestTimeouts.Default, "the owner's log line for the dead origin");
    }

    public ValueTask DisposeAsync() => instances.DisposeAsync();
}
