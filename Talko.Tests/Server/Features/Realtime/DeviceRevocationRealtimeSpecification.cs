using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Conversations;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Realtime;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Realtime;

/// <summary>
/// Every way a device loses access closes its realtime connections on every instance: scaled out, two instances share
/// PostgreSQL and Redis, the device's hub connection sits on one and the access ends through the other; embedded, one
/// instance plays both parts. The periodic access check is set to an hour, so only the revocation message can close
/// the connection in time.
/// </summary>
public abstract class DeviceRevocationRealtimeSpecification(ITestOutputHelper output) : IAsyncLifetime
{
    public enum Revocation
    {
        Logout,
        DeletedFromAnotherDevice,
        RefreshTokenReused,
        AccountDeleted,
    }

    private TalkoHost one = null!;
    private TalkoHost two = null!;

    public Task InitializeAsync()
    {
        one = new TalkoHost(WithHourlyCheck(Options("one")));
        // Start one first so it applies the migrations; the second finds them applied.
        one.CreateClient().Dispose();
        two = TwoInstances ? new TalkoHost(WithHourlyCheck(Options("two"))) : one;
        two.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await one.DisposeAsync();
        if (TwoInstances)
        {
            await two.DisposeAsync();
        }
    }

    protected abstract bool TwoInstances { get; }

    protected abstract TalkoHostOptions Options(string instance);

    [Theory]
    [InlineData(Revocation.Logout)]
    [InlineData(Revocation.DeletedFromAnotherDevice)]
    [InlineData(Revocation.RefreshTokenReused)]
    [InlineData(Revocation.AccountDeleted)]
    public async Task A_device_that_loses_access_on_one_instance_has_its_hub_connection_on_the_other_closed_and_hears_nothing_more(Revocation how)
    {
        using var alice = await one.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var bobEmail = $"bob-{Guid.NewGuid():N}@example.com";
        using var bob = await one.SignUpAsync(bobEmail);
        using var bobsOtherDevice = await one.SignUpAsync(bobEmail);
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Private");

        var received = Channel.CreateUnbounded<string>();
        var accessEnded = new TaskCompletionSource<RealtimeAccessEnded>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = two.CreateHubConnection(bob);
        hub.On<TimelineItem>("itemCreated", item => received.Writer.TryWrite(item.Text ?? ""));
        hub.On<RealtimeAccessEnded>(RealtimeConnections.AccessEndedEvent, ended => accessEnded.TrySetResult(ended));
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await hub.StartAndWaitUntilReadyAsync();
        await alice.Client.PostTextOkAsync(conversation.Id, "before");
        Assert.Equal("before", await received.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default));

        var clock = Stopwatch.StartNew();
        await RevokeAsync(how, bob, bobsOtherDevice);
        await closed.Task.WaitAsync(TestTimeouts.Default);
        output.WriteLine($"{how}: hub connection on the other instance closed {clock.ElapsedMilliseconds} ms after the revocation");

        Assert.Equal("revoked", (await accessEnded.Task.WaitAsync(TestTimeouts.Default)).Reason);
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
        await alice.Client.PostTextOkAsync(conversation.Id, "after");
        Assert.False(received.Reader.TryRead(out var late), $"received {late} after losing access");

        // Connecting again with the device's token is refused on both instances.
        foreach (var host in new[] { one, two })
        {
            await using var again = host.CreateHubConnection(bob);
            await Assert.ThrowsAnyAsync<Exception>(() => again.StartAsync().WaitAsync(TestTimeouts.Default));
        }
    }

    private async Task RevokeAsync(Revocation how, TestUser bob, TestUser bobsOtherDevice)
    {
        switch (how)
        {
            case Revocation.Logout:
                Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PostAsync("/v1/auth/logout", null).WaitAsync(TestTimeouts.Default)).StatusCode);
                break;
            case Revocation.DeletedFromAnotherDevice:
                Assert.Equal(HttpStatusCode.NoContent, (await bobsOtherDevice.Client.DeleteAsync($"/v1/me/devices/{bob.DeviceId}").WaitAsync(TestTimeouts.Default)).StatusCode);
                break;
            case Revocation.RefreshTokenReused:
                using (var anonymous = one.CreateClient())
                {
                    var request = new RefreshRequest(bob.Tokens.RefreshToken);
                    Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/v1/auth/refresh", request).WaitAsync(TestTimeouts.Default)).StatusCode);
                    // The spent token again: the device's token family is presumed stolen.
                    Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/v1/auth/refresh", request).WaitAsync(TestTimeouts.Default)).StatusCode);
                }

                break;
            case Revocation.AccountDeleted:
                Assert.Equal(HttpStatusCode.NoContent, (await bobsOtherDevice.Client.DeleteAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
                break;
        }
    }

    private static TalkoHostOptions WithHourlyCheck(TalkoHostOptions options) =>
        options with { Settings = new Dictionary<string, string?> { ["Talko:Realtime:AccessCheckInterval"] = "01:00:00" } };
}

public sealed class EmbeddedDeviceRevocationRealtimeTests(ITestOutputHelper output) : DeviceRevocationRealtimeSpecification(output)
{
    protected override bool TwoInstances => false;

    protected override TalkoHostOptions Options(string instance) => TalkoHostOptions.Embedded();
}

public sealed class ScaledOutDeviceRevocationRealtimeTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : DeviceRevocationRealtimeSpecification(output), IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    protected override bool TwoInstances => true;

    protected override TalkoHostOptions Options(string instance) =>
        TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = $"{instance}-{Guid.NewGuid():N}"[..12] };
}
