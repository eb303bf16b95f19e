using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Notifications;
using Talko.Server.Data;
using Talko.Server.Features.Notifications.Outbox;
using Talko.Server.Features.Notifications.Providers;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Server.Features.Notifications;

/// <summary>
/// The outbox and its dispatcher, run against each database (PostgreSQL with SKIP LOCKED, SQLite) with
/// the clock in the test's hand and the dispatcher driven round by round.
/// </summary>
public abstract class OutboxDispatcherSpecification : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private readonly RecordingAddressRemover remover = new();
    private TalkoHost host = null!;

    protected FakeApns Apns { get; } = new();

    protected abstract Task<TalkoHostOptions> HostOptionsAsync();

    public async Task InitializeAsync()
    {
        Apns.Time = time;
        await Apns.StartAsync();
        var options = await HostOptionsAsync() with
        {
            Settings = NotificationTestSettings.For(Apns,
                ("DispatcherEnabled", "false"), ("MaxAttempts", "3"), ("RetryBaseDelay", "00:00:10"), ("CoalesceWindow", "00:00:03")),
        };
        host = new TalkoHost(options, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IPushAddressRemover>(remover);
        });
        _ = host.Services;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await Apns.DisposeAsync();
    }

    [Fact]
    public async Task An_enqueued_notification_is_delivered_once_and_marked_delivered()
    {
        var id = await EnqueueAsync(Notification(1));

        Assert.Equal(1, await DispatchAsync());
        Assert.Equal(0, await DispatchAsync());

        var row = await RowAsync(id);
        Assert.Equal(OutboxState.Delivered, row.State);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(id.ToString("D"), row.ProviderId);
        Assert.Equal(id.ToString("D"), Assert.Single(Apns.Accepted).ApnsId);
    }

    [Fact]
    public async Task A_notification_rolled_back_with_its_cause_is_never_sent()
    {
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                scope.ServiceProvider.GetRequiredService<NotificationOutbox>().Enqueue(db, Notification(1));
                await db.SaveChangesAsync();
                await transaction.RollbackAsync();
            });
        }

        Assert.Equal(0, await DispatchAsync());
        Assert.Empty(Apns.Requests);
    }

    [Fact]
    public async Task Failures_back_off_exponentially_and_dead_letter_after_max_attempts()
    {
        Apns.Script = (_, _) => new FakeAnswer(503, "ServiceUnavailable");
        var id = await EnqueueAsync(Notification(1));

        await DispatchAsync();
        var afterFirst = await RowAsync(id);
        Assert.Equal((OutboxState.Pending, 1), (afterFirst.State, afterFirst.Attempts));
        Assert.Equal(time.GetUtcNow().UtcDateTime.AddSeconds(10), afterFirst.NextAttemptAt, TimeSpan.FromMilliseconds(1));

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, await DispatchAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await DispatchAsync());
        Assert.Equal(time.GetUtcNow().UtcDateTime.AddSeconds(20), (await RowAsync(id)).NextAttemptAt, TimeSpan.FromMilliseconds(1));

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await DispatchAsync());

        var dead = await RowAsync(id);
        Assert.Equal(OutboxState.DeadLettered, dead.State);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal("ServiceUnavailable", dead.LastError);
        Assert.Equal(3, Apns.Requests.Count);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await DispatchAsync());
    }

    [Fact]
    public async Task Retry_after_from_the_provider_is_honoured()
    {
        Apns.Script = (_, attempt) => attempt == 1 ? new FakeAnswer(429, "TooManyRequests", RetryAfterSeconds: 120) : null;
        var id = await EnqueueAsync(Notification(1));

        await DispatchAsync();
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await DispatchAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await DispatchAsync());

        Assert.Equal(OutboxState.Delivered, (await RowAsync(id)).State);
        Assert.Equal(2, Apns.Requests.Count);
    }

    [Fact]
    public async Task An_APNs_410_removes_the_token_and_cancels_what_else_waits_for_it()
    {
        var deviceId = Guid.NewGuid();
        Apns.Script = (_, _) => new FakeAnswer(410, "Unregistered");
        var first = await EnqueueAsync(Notification(7) with { DeviceId = deviceId });
        var waiting = await EnqueueAsync(Notification(7) with { DeviceId = deviceId, CoalesceKey = "later" });

        await DispatchAsync();

        Assert.Equal(OutboxState.AddressGone, (await RowAsync(first)).State);
        Assert.Equal(OutboxState.AddressGone, (await RowAsync(waiting)).State);
        Assert.Equal((PushChannel.Apns, NotificationTestSettings.DeviceToken(7), (Guid?)deviceId), Assert.Single(remover.Removed));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await DispatchAsync());
        Assert.Single(Apns.Requests);
    }

    [Fact]
    public async Task Ten_messages_in_two_seconds_become_one_push_with_a_count_of_ten()
    {
        for (var i = 1; i <= 10; i++)
        {
            await EnqueueAsync(Notification(1, body: $"message {i}", badge: i) with { CoalesceKey = "device-1:conversation-1" });
            Assert.Equal(0, await DispatchAsync());
            time.Advance(TimeSpan.FromMilliseconds(200));
        }

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await DispatchAsync());

        var push = Assert.Single(Apns.Requests);
        Assert.Equal("10 new messages", (string?)push.Payload!["aps"]!["alert"]!["body"]);
        Assert.Equal(10, (int?)push.Payload["aps"]!["badge"]);
        await using var scope = host.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<OutboxMessage>().AsNoTracking().ToListAsync();
        Assert.Equal(9, rows.Count(r => r.State == OutboxState.Coalesced));
        Assert.Equal(10, Assert.Single(rows, r => r.State == OutboxState.Delivered).Count);
    }

    [Fact]
    public async Task Finished_rows_are_deleted_after_their_retention_and_dead_letters_later()
    {
        var delivered = await EnqueueAsync(Notification(1));
        await DispatchAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<OutboxDispatcher>();

        time.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, await dispatcher.CleanUpAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default));
        time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await dispatcher.CleanUpAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default));
        Assert.Null(await scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<OutboxMessage>().FindAsync(delivered));
    }

    private static OutboundNotification Notification(int device, string body = "hello", int badge = 1) =>
        new(PushChannel.Apns, NotificationTestSettings.DeviceToken(device), new PushMessage
        {
            Kind = "item.posted",
            Title = "Ana in Design",
            Body = body,
            Summary = "{count} new messages",
            Badge = badge,
            CollapseKey = "conversation-1",
        });

    private async Task<Guid> EnqueueAsync(OutboundNotification notification)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var row = scope.ServiceProvider.GetRequiredService<NotificationOutbox>().Enqueue(db, notification);
        await db.SaveChangesAsync();
        return row.Id;
    }

    private Task<int> DispatchAsync() =>
        host.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default);

    private async Task<OutboxMessage> RowAsync(Guid id)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == id);
    }
}

public sealed class PostgresOutboxDispatcherTests(PostgresFixture postgres, RedisFixture redis)
    : OutboxDispatcherSpecification, IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    protected override async Task<TalkoHostOptions> HostOptionsAsync()
    {
        // The fixture's database is shared by the class's tests: start each one empty.
        await postgres.ResetAsync();
        return TalkoHostOptions.ScaledOut(postgres, redis);
    }
}

public sealed class SqliteOutboxDispatcherTests : OutboxDispatcherSpecification
{
    protected override Task<TalkoHostOptions> HostOptionsAsync() => Task.FromResult(TalkoHostOptions.Embedded());
}
