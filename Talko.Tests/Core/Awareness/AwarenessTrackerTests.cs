using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Awareness;
using Talko.Core.Ephemeral;
using Talko.Core.Instances;

namespace Talko.Tests.Core.Awareness;

/// <summary>One instance's tracker and reaper over the in-memory store, with a driven clock.</summary>
public sealed class AwarenessTrackerTests
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-23T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    // A lease longer than any test's span, so only the tests about leases see one run out.
    private readonly AwarenessOptions options = new() { ConnectionLease = TimeSpan.FromMinutes(10) };
    private readonly InMemoryAwarenessStore store = new();
    private readonly RecordingNotifier notifier = new();
    private readonly InstanceRegistry registry;
    private readonly AwarenessTracker tracker;
    private readonly AwarenessReaper reaper;

    public AwarenessTrackerTests()
    {
        var lifecycle = new InstanceLifecycle("self", time);
        registry = new InstanceRegistry(new InMemoryEphemeralStore(time), new KeySpace("test"), Options.Create(new InstanceRegistryOptions()));
        tracker = new AwarenessTracker(store, notifier, lifecycle, Options.Create(options), time, NullLogger<AwarenessTracker>.Instance);
        reaper = new AwarenessReaper(store, notifier, registry, lifecycle, Options.Create(options), time, NullLogger<AwarenessReaper>.Instance);
    }

    [Fact]
    public async Task Heartbeats_write_nothing_until_the_device_goes_idle_past_the_away_threshold()
    {
        await tracker.ConnectAsync("c1", "alice", "phone");
        await tracker.HeartbeatAsync("c1", TimeSpan.FromSeconds(10));
        await tracker.HeartbeatAsync("c1", options.AwayAfter);
        await tracker.HeartbeatAsync("c1", options.AwayAfter + TimeSpan.FromSeconds(4));
        await tracker.HeartbeatAsync("c1", TimeSpan.Zero);

        Assert.Equal([Presence.Online, Presence.Away, Presence.Online], notifier.Changes.Select(c => c.Presence));
    }

    [Fact]
    public async Task Typing_stops_by_expiry_alone_and_extends_while_repeated()
    {
        await tracker.ConnectAsync("c1", "bob", null);
        await tracker.SetActivityAsync("c1", Activity.Typing("conv"));
        time.Advance(options.TypingTimeout - TimeSpan.FromSeconds(1));
        await tracker.SetActivityAsync("c1", Activity.Typing("conv"));
        time.Advance(TimeSpan.FromSeconds(2));
        await reaper.ReapAsync();
        Assert.Equal(ActivityKind.Typing, notifier.Changes[^1].Activity.Kind);

        time.Advance(options.TypingTimeout);
        await reaper.ReapAsync();
        await reaper.ReapAsync();

        Assert.Equal([ActivityKind.None, ActivityKind.Typing, ActivityKind.Viewing], notifier.Changes.Select(c => c.Activity.Kind));
    }

    [Fact]
    public async Task A_device_that_stops_heartbeating_is_dropped_and_shows_offline()
    {
        options.ConnectionLease = TimeSpan.FromSeconds(10);
        await tracker.ConnectAsync("quiet", "carol", null);
        await tracker.ConnectAsync("chatty", "dave", null);
        for (var elapsed = TimeSpan.Zero; elapsed <= options.DeviceTimeout; elapsed += options.RenewInterval)
        {
            time.Advance(options.RenewInterval);
            await tracker.HeartbeatAsync("chatty", TimeSpan.Zero);
            await tracker.RenewAsync();
            await reaper.ReapAsync();
        }

        Assert.Equal(UserAwareness.Offline("carol"), notifier.Changes[^1]);
        Assert.Equal([Presence.Offline, Presence.Online], (await store.GetAsync(["carol", "dave"])).Select(u => u.Presence));
        Assert.Equal(1, tracker.Count);
    }

    [Fact]
    public async Task A_dropped_device_that_beats_again_is_back_online_and_told_to_say_its_activity_again()
    {
        await tracker.ConnectAsync("stalled", "erin", "laptop");
        await tracker.SetActivityAsync("stalled", Activity.Viewing("conv"));
        time.Advance(options.DeviceTimeout);
        await tracker.RenewAsync();
        Assert.Equal(UserAwareness.Offline("erin"), notifier.Changes[^1]);

        Assert.False(await tracker.HeartbeatOrRejoinAsync("stalled", "erin", "laptop", TimeSpan.Zero));
        Assert.Equal((Presence.Online, ActivityKind.None), (notifier.Changes[^1].Presence, notifier.Changes[^1].Activity.Kind));
        Assert.True(await tracker.HeartbeatOrRejoinAsync("stalled", "erin", "laptop", TimeSpan.Zero));
        Assert.Equal(1, tracker.Count);
    }

    [Fact]
    public async Task Connections_of_an_instance_that_left_the_registry_are_reaped_and_a_live_one_restores_its_own()
    {
        var now = time.GetUtcNow();
        await store.UpsertAsync(new ConnectionAwareness("erin", "ghost-1", null, "ghost", Presence.Online, Activity.None, now, null, null, now, now + TimeSpan.FromMinutes(5)), now);
        await registry.PublishAsync(new InstanceDescriptor("self", "", "", InstanceState.Serving, InstanceLoad.None, now, now));
        await tracker.ConnectAsync("c1", "frank", null);

        await reaper.ReapAsync();

        Assert.Equal(UserAwareness.Offline("erin"), notifier.Changes[^1]);

        // Had survivors taken this instance for dead, its next renewal writes its connections again.
        await store.ReapInstanceAsync("self", time.GetUtcNow(), 10);
        await tracker.RenewAsync();
        Assert.Equal(Presence.Online, (await store.GetAsync(["frank"]))[0].Presence);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_field_named()
    {
        await tracker.ConnectAsync("c1", "gina", null);

        var noConversation = await Assert.ThrowsAsync<ArgumentException>(() => tracker.SetActivityAsync("c1", new Activity { Kind = ActivityKind.Typing }));
        var negative = await Assert.ThrowsAsync<ArgumentException>(() => tracker.SetActivityAsync("c1", Activity.Listening("conv", "call", -5)));
        var longStatus = await Assert.ThrowsAsync<ArgumentException>(() => tracker.SetStatusAsync("c1", new string('x', options.MaxStatusTextLength + 1)));

        Assert.Equal("conversationId", noConversation.ParamName);
        Assert.Equal("positionMs", negative.ParamName);
        Assert.Equal("statusText", longStatus.ParamName);
        Assert.Single(notifier.Changes);
    }
}
