using Microsoft.Extensions.Time.Testing;
using Talko.Core.Awareness;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Awareness;

/// <summary>
/// What every <see cref="IAwarenessStore"/> must do. Runs against the in-memory store, real Redis and a Redis
/// Cluster, all on one driven clock: the stores take the time from their caller (ADR 0400), so leases and typing
/// deadlines expire exactly when the test says and a loaded machine cannot eat a margin.
/// </summary>
public abstract class AwarenessStoreSpecification
{
    private static readonly TimeSpan ShortLease = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    protected abstract IAwarenessStore Store { get; }

    // Starts now, so the TTLs the Redis store derives from it (a lease's end minus now) are real lifetimes too.
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);

    /// <summary>The store's clock.</summary>
    protected DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Lets <paramref name="duration"/> pass for the store's clock.</summary>
    protected Task ElapseAsync(TimeSpan duration)
    {
        time.Advance(duration);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_first_connection_brings_a_user_online_once()
    {
        var alice = Connection("alice", "c1");

        var first = await Store.UpsertAsync(alice, Now);
        var again = await Store.UpsertAsync(alice, Now);

        Assert.Equal(new UserAwareness("alice", Presence.Online, Activity.None, null), first);
        Assert.Null(again);
        Assert.Equal(Presence.Online, (await Store.GetAsync(["alice"]))[0].Presence);
    }

    [Fact]
    public async Task Further_devices_change_nothing_until_the_last_one_leaves()
    {
        Assert.NotNull(await Store.UpsertAsync(Connection("bob", "c1"), Now));
        Assert.Null(await Store.UpsertAsync(Connection("bob", "c2", instance: "i2"), Now));

        Assert.Null(await Store.RemoveAsync("i1", new("bob", "c1"), Now));
        var last = await Store.RemoveAsync("i2", new("bob", "c2"), Now);
        var afterwards = await Store.RemoveAsync("i2", new("bob", "c2"), Now);

        Assert.Equal(UserAwareness.Offline("bob"), last);
        Assert.Null(afterwards);
        Assert.Equal(UserAwareness.Offline("bob"), (await Store.GetAsync(["bob"]))[0]);
    }

    [Fact]
    public async Task A_user_is_online_if_any_device_is_and_away_only_if_all_are()
    {
        Assert.Equal(Presence.Away, (await Store.UpsertAsync(Connection("carol", "phone", presence: Presence.Away), Now))?.Presence);
        Assert.Equal(Presence.Online, (await Store.UpsertAsync(Connection("carol", "laptop"), Now))?.Presence);
        Assert.Null(await Store.UpsertAsync(Connection("carol", "phone", presence: Presence.Away), Now));
        Assert.Equal(Presence.Away, (await Store.RemoveAsync("i1", new("carol", "laptop"), Now))?.Presence);
    }

    [Fact]
    public async Task The_most_recent_specific_activity_wins_across_devices()
    {
        var start = Now;
        var call = Activity.InCall("conv-1", "call-1", muted: true, talking: false);
        Assert.Equal(Activity.Viewing("conv-1"), (await Store.UpsertAsync(Connection("dave", "phone", activity: Activity.Viewing("conv-1"), activityAt: start), Now))?.Activity);
        Assert.Equal(call, (await Store.UpsertAsync(Connection("dave", "laptop", activity: call, activityAt: start.AddSeconds(1)), Now))?.Activity);

        // An older activity on another device does not override; no activity at all never does.
        Assert.Null(await Store.UpsertAsync(Connection("dave", "phone", activity: Activity.Viewing("conv-2"), activityAt: start.AddMilliseconds(500)), Now));
        Assert.Null(await Store.UpsertAsync(Connection("dave", "tablet", activity: Activity.None, activityAt: start.AddSeconds(5)), Now));

        var listening = Activity.Listening("conv-3", "call-0", positionMs: 61_250);
        Assert.Equal(listening, (await Store.UpsertAsync(Connection("dave", "phone", activity: listening, activityAt: start.AddSeconds(2)), Now))?.Activity);

        // The laptop leaves the call: the phone's listening stays the most recent specific one.
        Assert.Null(await Store.UpsertAsync(Connection("dave", "laptop", activity: Activity.None, activityAt: start.AddSeconds(3)), Now));
        Assert.Equal(listening, (await Store.GetAsync(["dave"]))[0].Activity);
    }

    [Fact]
    public async Task Changing_only_talking_or_muted_is_a_change()
    {
        await Store.UpsertAsync(Connection("erin", "c1", activity: Activity.InCall("conv", "call")), Now);

        var talking = await Store.UpsertAsync(Connection("erin", "c1", activity: Activity.InCall("conv", "call", talking: true)), Now);
        var same = await Store.UpsertAsync(Connection("erin", "c1", activity: Activity.InCall("conv", "call", talking: true)), Now);

        Assert.True(talking?.Activity.Talking);
        Assert.Null(same);
    }

    [Fact]
    public async Task Typing_reverts_to_viewing_by_expiry_alone_and_is_reported_once()
    {
        var typing = await Store.UpsertAsync(Connection("frank", "c1", activity: Activity.Typing("conv-9"), typingFor: TimeSpan.FromMilliseconds(300)), Now);
        Assert.Equal(Activity.Typing("conv-9"), typing?.Activity);
        Assert.Empty(await Store.ReapDueAsync(Now, 100));

        await ElapseAsync(TimeSpan.FromMilliseconds(600));
        var reaped = await Store.ReapDueAsync(Now, 100);
        var reapedAgain = await Store.ReapDueAsync(Now, 100);

        Assert.Equal([new UserAwareness("frank", Presence.Online, Activity.Viewing("conv-9"), null)], reaped);
        Assert.Empty(reapedAgain);
    }

    [Fact]
    public async Task A_connection_whose_lease_runs_out_is_reaped_to_offline()
    {
        await Store.UpsertAsync(Connection("gina", "c1", lease: ShortLease), Now);
        await Store.UpsertAsync(Connection("hugo", "c1", lease: LongLease), Now);

        await ElapseAsync(TimeSpan.FromMilliseconds(800));
        var reaped = await Store.ReapDueAsync(Now, 100);

        Assert.Equal([UserAwareness.Offline("gina")], reaped);
        Assert.Equal([Presence.Offline, Presence.Online], (await Store.GetAsync(["gina", "hugo"])).Select(u => u.Presence));
    }

    [Fact]
    public async Task Renewing_keeps_a_connection_past_its_first_lease()
    {
        var lease = TimeSpan.FromMilliseconds(2000);
        await Store.UpsertAsync(Connection("ivan", "c1", lease: lease), Now);

        await ElapseAsync(TimeSpan.FromMilliseconds(1200));
        var renewed = await Store.RenewAsync("i1", [new("ivan", "c1")], Now + lease, Now);
        await ElapseAsync(TimeSpan.FromMilliseconds(1200));

        Assert.Empty(renewed.Lost);
        Assert.Empty(renewed.Changes);
        Assert.Empty(await Store.ReapDueAsync(Now, 100));
        Assert.Equal(Presence.Online, (await Store.GetAsync(["ivan"]))[0].Presence);
    }

    [Fact]
    public async Task Renewing_reports_connections_the_store_no_longer_has()
    {
        await Store.UpsertAsync(Connection("jane", "kept"), Now);

        var renewed = await Store.RenewAsync("i1", [new("jane", "kept"), new("jane", "gone"), new("kim", "never")], Now + LongLease, Now);

        Assert.Equal([new ConnectionKey("jane", "gone"), new ConnectionKey("kim", "never")], renewed.Lost.OrderBy(c => c.UserId).ThenBy(c => c.ConnectionId));
        Assert.Empty(renewed.Changes);
    }

    [Fact]
    public async Task Reaping_a_dead_instance_removes_only_its_connections()
    {
        await Store.UpsertAsync(Connection("lena", "l1", instance: "dead"), Now);
        await Store.UpsertAsync(Connection("mark", "m1", instance: "dead"), Now);
        await Store.UpsertAsync(Connection("mark", "m2", instance: "alive"), Now);
        Assert.Equal(["alive", "dead"], (await Store.InstancesAsync()).Order(StringComparer.Ordinal));

        var changes = await Store.ReapInstanceAsync("dead", Now, batchSize: 1);

        Assert.Equal([UserAwareness.Offline("lena")], changes);
        Assert.Equal([Presence.Offline, Presence.Online], (await Store.GetAsync(["lena", "mark"])).Select(u => u.Presence));
        Assert.Equal(["alive"], await Store.InstancesAsync());
        Assert.Empty(await Store.ReapInstanceAsync("dead", Now, batchSize: 1));
    }

    [Fact]
    public async Task Concurrent_updates_from_many_instances_report_exactly_one_change()
    {
        var upserts = Enumerable.Range(0, 30).Select(i => Store.UpsertAsync(Connection("nina", $"c{i}", instance: $"i{i % 3}"), Now));

        var results = await Task.WhenAll(upserts).WaitAsync(TestTimeouts.Default);

        Assert.Single(results, r => r is not null);
        Assert.Equal(Presence.Online, (await Store.GetAsync(["nina"]))[0].Presence);
    }

    [Fact]
    public async Task Concurrent_reapers_report_an_expiry_exactly_once()
    {
        await Store.UpsertAsync(Connection("otto", "c1", activity: Activity.Typing("conv"), typingFor: TimeSpan.FromMilliseconds(200)), Now);
        await Store.UpsertAsync(Connection("pia", "c1", lease: TimeSpan.FromMilliseconds(200)), Now);
        await ElapseAsync(TimeSpan.FromMilliseconds(500));

        var now = Now;
        var reapers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Store.ReapDueAsync(now, 100))).WaitAsync(TestTimeouts.Default);

        var changes = reapers.SelectMany(r => r).OrderBy(c => c.UserId).ToList();
        Assert.Equal([new UserAwareness("otto", Presence.Online, Activity.Viewing("conv"), null), UserAwareness.Offline("pia")], changes);
    }

    [Fact]
    public async Task The_most_recently_set_status_wins_and_clearing_it_counts()
    {
        var start = Now;
        var set = await Store.UpsertAsync(Connection("quinn", "phone", status: "🚗 driving, café", statusAt: start.AddSeconds(1)), Now);
        var older = await Store.UpsertAsync(Connection("quinn", "laptop", status: "in a meeting", statusAt: start), Now);
        var cleared = await Store.UpsertAsync(Connection("quinn", "laptop", status: null, statusAt: start.AddSeconds(2)), Now);

        Assert.Equal("🚗 driving, café", set?.StatusText);
        Assert.Null(older);
        Assert.NotNull(cleared);
        Assert.Null(cleared.StatusText);
    }

    [Fact]
    public async Task Unknown_users_read_offline()
    {
        Assert.Equal([UserAwareness.Offline("nobody")], await Store.GetAsync(["nobody"]));
        Assert.Empty(await Store.GetAsync([]));
    }

    [Fact]
    public async Task Live_connections_are_read_back_device_by_device_with_their_activity()
    {
        await Store.UpsertAsync(Connection("dora", "web", activity: Activity.Viewing("conv-1")) with { DeviceId = "device-web" }, Now);
        await Store.UpsertAsync(Connection("dora", "phone", presence: Presence.Away) with { DeviceId = "device-phone" }, Now);
        await Store.UpsertAsync(Connection("dora", "old", lease: ShortLease) with { DeviceId = "device-old" }, Now);
        await Store.UpsertAsync(Connection("emil", "web"), Now);
        await ElapseAsync(ShortLease * 2);

        var connections = await Store.GetConnectionsAsync(["dora", "nobody"], Now);

        Assert.Equal(["device-phone", "device-web"], connections.Select(c => c.DeviceId!).Order());
        var web = connections.Single(c => c.DeviceId == "device-web");
        Assert.Equal((Presence.Online, ActivityKind.Viewing, "conv-1"), (web.Presence, web.Activity.Kind, web.Activity.ConversationId));
        Assert.Equal(Presence.Away, connections.Single(c => c.DeviceId == "device-phone").Presence);
    }

    protected ConnectionAwareness Connection(
        string user,
        string connection,
        string instance = "i1",
        Presence presence = Presence.Online,
        Activity? activity = null,
        DateTimeOffset? activityAt = null,
        TimeSpan? typingFor = null,
        string? status = null,
        DateTimeOffset? statusAt = null,
        TimeSpan? lease = null)
    {
        var now = Now;
        return new ConnectionAwareness(
            user,
            connection,
            DeviceId: null,
            instance,
            presence,
            activity ?? Activity.None,
            activityAt ?? now,
            typingFor is { } t ? now + t : null,
            status,
            statusAt ?? now,
            now + (lease ?? LongLease));
    }
}
