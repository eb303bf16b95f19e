using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Realtime;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Realtime;

/// <summary>
/// The periodic access check of open hub connections (embedded mode, a clock the test drives): it closes a connection
/// whose access token expired, and one whose device was removed when no revocation message arrived.
/// </summary>
public sealed class RealtimeAccessCheckTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private TalkoHost host = null!;

    public Task InitializeAsync()
    {
        // The device-exists cache runs on the real clock; a short one lets the check see the removed row at once.
        var options = TalkoHostOptions.Embedded() with
        {
            Settings = new Dictionary<string, string?> { ["Talko:Accounts:DeviceCheckCacheDuration"] = "00:00:00.001" },
        };
        host = new TalkoHost(options, services => services.AddSingleton<TimeProvider>(time));
        host.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_connection_whose_access_token_expired_is_told_so_and_closed()
    {
        using var user = await host.SignUpAsync($"exp-{Guid.NewGuid():N}@example.com");
        var (hub, ended, closed) = await ConnectAsync(user);
        await using var _ = hub;

        // Just short of expiry nothing happens; past it (plus one check interval) the connection goes.
        time.Advance(TimeSpan.FromMinutes(14));
        await Task.Delay(200);
        Assert.Equal(HubConnectionState.Connected, hub.State);
        await AdvanceUntilAsync(closed.Task, TimeSpan.FromSeconds(15));

        Assert.Equal("expired", (await ended.Task.WaitAsync(TestTimeouts.Default)).Reason);
    }

    [Fact]
    public async Task A_connection_whose_device_is_gone_is_closed_even_without_a_revocation_message()
    {
        using var user = await host.SignUpAsync($"gone-{Guid.NewGuid():N}@example.com");
        var (hub, ended, closed) = await ConnectAsync(user);
        await using var _ = hub;

        // As if the revocation message had been lost: the row goes, nobody publishes.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            Assert.Equal(1, await db.Set<Device>().Where(d => d.Id == user.DeviceId).ExecuteDeleteAsync().WaitAsync(TestTimeouts.Default));
        }

        await AdvanceUntilAsync(closed.Task, TimeSpan.FromSeconds(15));
        Assert.Equal("revoked", (await ended.Task.WaitAsync(TestTimeouts.Default)).Reason);
    }

    private async Task<(HubConnection Hub, TaskCompletionSource<RealtimeAccessEnded> Ended, TaskCompletionSource Closed)> ConnectAsync(TestUser user)
    {
        var hub = host.CreateHubConnection(user);
        var ended = new TaskCompletionSource<RealtimeAccessEnded>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<RealtimeAccessEnded>(RealtimeConnections.AccessEndedEvent, e => ended.TrySetResult(e));
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await hub.StartAndWaitUntilReadyAsync();
        return (hub, ended, closed);
    }

    /// <summary>Moves the clock a step at a time (each step lets the check run) until <paramref name="done"/> completes.</summary>
    private async Task AdvanceUntilAsync(Task done, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!done.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the connection was not closed");
            time.Advance(step);
            await Task.WhenAny(done, Task.Delay(100));
        }
    }
}
