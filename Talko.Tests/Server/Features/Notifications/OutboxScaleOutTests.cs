using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Notifications;
using Talko.Server.Data;
using Talko.Server.Features.Notifications.Outbox;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Server.Features.Notifications;

/// <summary>
/// Dispatchers running for real (real clock, background service) on instances that share PostgreSQL:
/// each notification is delivered exactly once across instances and survives provider and Redis outages.
/// </summary>
public sealed class OutboxScaleOutTests(PostgresFixture postgres, RedisFixture redis) : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly FakeApns apns = new();

    public async Task InitializeAsync()
    {
        await apns.StartAsync();
        await postgres.ResetAsync();
    }

    public async Task DisposeAsync() => await apns.DisposeAsync();

    [Fact]
    public async Task A_provider_503_is_retried_and_each_notification_is_delivered_once_with_two_instances_dispatching()
    {
        // Every token fails once with 503, then succeeds.
        apns.Script = (_, attempt) => attempt == 1 ? new FakeAnswer(503, "ServiceUnavailable") : null;
        apns.Delay = TimeSpan.FromMilliseconds(20);
        await using var blue = Start(redis.ConnectionString, "blue");
        await using var green = Start(redis.ConnectionString, "green");

        var ids = await EnqueueAsync(blue, Enumerable.Range(1, 40));

        await TestTimeouts.EventuallyAsync(async () => await CountAsync(blue, OutboxState.Delivered) == 40, TestTimeouts.Long, "all 40 delivered");
        var accepted = apns.Accepted.ToList();
        Assert.Equal(40, accepted.Count);
        Assert.Equal(ids.Select(id => id.ToString("D")).Order(), accepted.Select(r => r.ApnsId).Order());
        Assert.Equal(40, apns.Requests.Count(r => r.Status == 503));
        var rows = await RowsAsync(blue);
        Assert.All(rows, r => Assert.Equal(2, r.Attempts));
        Assert.Equal(["blue", "green"], rows.Select(r => r.LeaseOwner!).Distinct().Order());
    }

    [Fact]
    public async Task Stopping_Redis_during_dispatch_loses_no_notification()
    {
        await using var privateRedis = await RedisServerProcess.StartAsync();
        apns.Delay = TimeSpan.FromMilliseconds(50);
        await using var host = Start(privateRedis.ConnectionString, "solo");
        var before = await EnqueueAsync(host, Enumerable.Range(1, 30));
        await TestTimeouts.EventuallyAsync(() => Task.FromResult(apns.Accepted.Any()), TestTimeouts.Default, "dispatch to begin");

        await privateRedis.KillAsync();
        var after = await EnqueueAsync(host, Enumerable.Range(31, 10));

        await TestTimeouts.EventuallyAsync(async () => await CountAsync(host, OutboxState.Delivered) == 40, TestTimeouts.Long, "all 40 delivered with Redis down");
        Assert.Equal(before.Concat(after).Select(id => id.ToString("D")).Order(), apns.Accepted.Select(r => r.ApnsId).Order());
    }

    private TalkoHost Start(string redisConnection, string instanceId)
    {
        var host = new TalkoHost(new TalkoHostOptions
        {
            Postgres = postgres.ConnectionString,
            Redis = redisConnection,
            RedisPrefix = redis.Prefix,
            InstanceId = instanceId,
            Settings = NotificationTestSettings.For(apns,
                ("PollInterval", "00:00:00.100"), ("RetryBaseDelay", "00:00:00.200"), ("BatchSize", "5"), ("MaxConcurrency", "4"), ("CoalesceWindow", "00:00:00")),
        });
        _ = host.Services;
        return host;
    }

    private static async Task<List<Guid>> EnqueueAsync(TalkoHost host, IEnumerable<int> devices)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<NotificationOutbox>();
        var ids = devices.Select(n => outbox.Enqueue(db, new OutboundNotification(PushChannel.Apns, NotificationTestSettings.DeviceToken(n), new PushMessage { Title = "t", Body = $"to {n}" })).Id).ToList();
        await db.SaveChangesAsync().WaitAsync(TestTimeouts.Default);
        return ids;
    }

    private static async Task<int> CountAsync(TalkoHost host, OutboxState state)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<OutboxMessage>().CountAsync(m => m.State == state);
    }

    private static async Task<List<OutboxMessage>> RowsAsync(TalkoHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<OutboxMessage>().AsNoTracking().ToListAsync();
    }
}
