using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Calls;
using Talko.Core.Ephemeral;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Calls;

/// <summary>One owner per live call, on both ephemeral stores.</summary>
public abstract class CallOwnershipSpecification
{
    /// <summary>
    /// Real time passes for Redis on a shared, loaded machine: its claims live long enough that the
    /// margins in these tests (a quarter of it) dwarf scheduling delays.
    /// </summary>
    protected static readonly TimeSpan ClaimTtl = TimeSpan.FromSeconds(2);

    protected abstract CallOwnership Ownership { get; }

    /// <summary>Ownership on the same store whose claims live <paramref name="claimTtl"/>.</summary>
    protected abstract CallOwnership OwnershipLiving(TimeSpan claimTtl);

    /// <summary>How long the call's claim has left, read from the store (Redis: PTTL).</summary>
    protected abstract Task<TimeSpan?> RemainingClaimAsync(string callId);

    protected abstract Task ElapseAsync(TimeSpan duration);

    protected static CallOwnership Create(IEphemeralStore store, string prefix, TimeSpan? claimTtl = null) =>
        new(store, new KeySpace(prefix), Options.Create(new CallOwnershipOptions { ClaimTimeToLive = claimTtl ?? ClaimTtl }));

    [Fact]
    public async Task The_first_claim_wins_and_later_claimants_are_told_the_owner()
    {
        var call = Guid.NewGuid().ToString("N");
        Assert.Equal("a", await Ownership.ClaimOrFindOwnerAsync(call, "a"));
        Assert.Equal("a", await Ownership.ClaimOrFindOwnerAsync(call, "b"));
        Assert.Equal("a", await Ownership.FindOwnerAsync(call));
    }

    [Fact]
    public async Task Concurrent_claims_from_many_instances_agree_on_one_owner()
    {
        var call = Guid.NewGuid().ToString("N");
        var owners = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Ownership.ClaimOrFindOwnerAsync(call, $"instance-{i}"))).WaitAsync(TestTimeouts.Default);
        Assert.Single(owners.Distinct());
    }

    [Fact]
    public async Task A_dead_owners_claim_lapses_and_another_instance_takes_over()
    {
        var call = Guid.NewGuid().ToString("N");
        await Ownership.ClaimOrFindOwnerAsync(call, "dead");

        await ElapseAsync(ClaimTtl * 2);

        Assert.Null(await Ownership.FindOwnerAsync(call));
        Assert.Equal("survivor", await Ownership.ClaimOrFindOwnerAsync(call, "survivor"));
        Assert.False(await Ownership.RenewAsync(call, "dead"));
    }

    [Fact]
    public async Task Renewal_keeps_the_owner_and_release_only_works_for_the_owner()
    {
        // A claim's remaining lifetime only falls unless it is renewed, so "more left after the renewal than before
        // it" proves the renewal whatever the delays. The claim lives 8 s and is renewed half-way: a loaded machine
        // may stall this test by up to 4 s on either side of the renewal without changing the outcome.
        var claimTtl = TimeSpan.FromSeconds(8);
        var ownership = OwnershipLiving(claimTtl);
        var call = Guid.NewGuid().ToString("N");
        await ownership.ClaimOrFindOwnerAsync(call, "owner");
        await ElapseAsync(claimTtl / 2);
        var before = await RemainingClaimAsync(call);
        Assert.True(await ownership.RenewAsync(call, "owner"));
        var after = await RemainingClaimAsync(call);
        Assert.True(after > before, $"renewal left {after} of the claim, {before} before it");
        Assert.Equal("owner", await ownership.FindOwnerAsync(call));

        Assert.False(await ownership.ReleaseAsync(call, "intruder"));
        Assert.True(await ownership.ReleaseAsync(call, "owner"));
        Assert.Null(await ownership.FindOwnerAsync(call));
    }
}

public sealed class InMemoryCallOwnershipTests : CallOwnershipSpecification
{
    private readonly FakeTimeProvider time = new();

    private readonly InMemoryEphemeralStore store;

    public InMemoryCallOwnershipTests()
    {
        store = new InMemoryEphemeralStore(time);
        Ownership = Create(store, "spec");
    }

    protected override CallOwnership Ownership { get; }

    protected override CallOwnership OwnershipLiving(TimeSpan claimTtl) => Create(store, "spec", claimTtl);

    protected override Task<TimeSpan?> RemainingClaimAsync(string callId) => store.GetTimeToLiveAsync(new KeySpace("spec").CallOwner(callId));

    protected override Task ElapseAsync(TimeSpan duration)
    {
        time.Advance(duration);
        return Task.CompletedTask;
    }
}

public sealed class RedisCallOwnershipTests(RedisFixture redis) : CallOwnershipSpecification, IClassFixture<RedisFixture>
{
    private readonly RedisEphemeralStore store = new(redis.Connection);

    protected override CallOwnership Ownership => field ??= Create(store, redis.Prefix);

    protected override CallOwnership OwnershipLiving(TimeSpan claimTtl) => Create(store, redis.Prefix, claimTtl);

    protected override Task<TimeSpan?> RemainingClaimAsync(string callId) => store.GetTimeToLiveAsync(new KeySpace(redis.Prefix).CallOwner(callId));

    protected override Task ElapseAsync(TimeSpan duration) => Task.Delay(duration);
}
