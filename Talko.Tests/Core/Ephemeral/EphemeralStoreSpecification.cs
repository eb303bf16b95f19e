using Talko.Core.Ephemeral;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Ephemeral;

/// <summary>
/// What every <see cref="IEphemeralStore"/> must do. Runs against the in-process store (with a driven
/// clock) and against real Redis (with real, short expiries).
/// </summary>
public abstract class EphemeralStoreSpecification
{
    protected abstract IEphemeralStore Store { get; }

    /// <summary>
    /// The short expiry these tests use. On Redis real time passes, so it must dwarf the scheduling
    /// delays of a loaded machine between a write and the read that expects it still there.
    /// </summary>
    protected virtual TimeSpan ShortTtl => TimeSpan.FromSeconds(1);

    protected abstract string Key(string name);

    /// <summary>Lets at least <paramref name="duration"/> pass for the store's clock.</summary>
    protected abstract Task ElapseAsync(TimeSpan duration);

    [Fact]
    public async Task Set_value_is_read_back_and_missing_keys_read_null()
    {
        await Store.SetAsync(Key("a"), "1", null);
        Assert.Equal("1", await Store.GetAsync(Key("a")));
        Assert.Null(await Store.GetAsync(Key("missing")));
    }

    [Fact]
    public async Task Values_expire_after_their_time_to_live()
    {
        await Store.SetAsync(Key("short"), "x", ShortTtl);
        await Store.SetAsync(Key("long"), "y", TimeSpan.FromMinutes(5));
        Assert.Equal("x", await Store.GetAsync(Key("short")));

        await ElapseAsync(ShortTtl * 2);

        Assert.Null(await Store.GetAsync(Key("short")));
        Assert.Equal("y", await Store.GetAsync(Key("long")));
    }

    [Fact]
    public async Task Set_if_absent_claims_once_until_the_claim_expires()
    {
        Assert.True(await Store.SetIfAbsentAsync(Key("claim"), "owner-1", ShortTtl));
        Assert.False(await Store.SetIfAbsentAsync(Key("claim"), "owner-2", ShortTtl));
        Assert.Equal("owner-1", await Store.GetAsync(Key("claim")));

        await ElapseAsync(ShortTtl * 2);

        Assert.True(await Store.SetIfAbsentAsync(Key("claim"), "owner-2", TimeSpan.FromSeconds(5)));
        Assert.Equal("owner-2", await Store.GetAsync(Key("claim")));
    }

    [Fact]
    public async Task Concurrent_claims_have_exactly_one_winner()
    {
        var attempts = Enumerable.Range(0, 50).Select(i => Store.SetIfAbsentAsync(Key("race"), $"owner-{i}", TimeSpan.FromSeconds(10)));
        var results = await Task.WhenAll(attempts).WaitAsync(TestTimeouts.Default);
        Assert.Single(results, won => won);
    }

    [Fact]
    public async Task Compare_and_set_replaces_only_the_expected_value()
    {
        await Store.SetAsync(Key("cas"), "v1", TimeSpan.FromMinutes(1));
        Assert.False(await Store.CompareAndSetAsync(Key("cas"), "other", "v2", null));
        Assert.Equal("v1", await Store.GetAsync(Key("cas")));
        Assert.True(await Store.CompareAndSetAsync(Key("cas"), "v1", "v2", null));
        Assert.Equal("v2", await Store.GetAsync(Key("cas")));
        Assert.False(await Store.CompareAndSetAsync(Key("absent"), "v1", "v2", null));
    }

    [Fact]
    public async Task Compare_and_set_without_ttl_keeps_the_remaining_time_to_live()
    {
        // Checked on the remaining lifetime rather than by sleeping past it: a loaded machine can stall a real-time
        // test longer than any short expiry between the write and the swap.
        await Store.SetAsync(Key("keep"), "v1", TimeSpan.FromMinutes(1));
        Assert.True(await Store.CompareAndSetAsync(Key("keep"), "v1", "v2", null));

        // Still expiring (not made persistent), within what it had.
        Assert.InRange(await Store.GetTimeToLiveAsync(Key("keep")) ?? TimeSpan.MaxValue, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal("v2", await Store.GetAsync(Key("keep")));
    }

    [Fact]
    public async Task Compare_and_expire_renews_only_the_holders_claim()
    {
        await Store.SetAsync(Key("lease"), "me", ShortTtl);
        Assert.False(await Store.CompareAndExpireAsync(Key("lease"), "someone-else", TimeSpan.FromMinutes(1)));
        Assert.True(await Store.CompareAndExpireAsync(Key("lease"), "me", TimeSpan.FromMinutes(1)));

        await ElapseAsync(ShortTtl * 2);

        Assert.Equal("me", await Store.GetAsync(Key("lease")));
        Assert.True(await Store.GetTimeToLiveAsync(Key("lease")) > TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Compare_and_delete_releases_only_ones_own_claim()
    {
        await Store.SetAsync(Key("release"), "me", TimeSpan.FromMinutes(1));
        Assert.False(await Store.CompareAndDeleteAsync(Key("release"), "someone-else"));
        Assert.Equal("me", await Store.GetAsync(Key("release")));
        Assert.True(await Store.CompareAndDeleteAsync(Key("release"), "me"));
        Assert.Null(await Store.GetAsync(Key("release")));
    }

    [Fact]
    public async Task Delete_and_expire_report_whether_the_key_existed()
    {
        await Store.SetAsync(Key("d"), "1", null);
        Assert.True(await Store.ExpireAsync(Key("d"), TimeSpan.FromMinutes(1)));
        Assert.True(await Store.DeleteAsync(Key("d")));
        Assert.False(await Store.DeleteAsync(Key("d")));
        Assert.False(await Store.ExpireAsync(Key("d"), TimeSpan.FromMinutes(1)));
        Assert.Null(await Store.GetTimeToLiveAsync(Key("d")));
    }

    [Fact]
    public async Task Increment_counts_within_a_window_that_starts_with_the_first_increment()
    {
        Assert.Equal(1, await Store.IncrementAsync(Key("rate"), 1, ShortTtl));
        Assert.Equal(3, await Store.IncrementAsync(Key("rate"), 2, ShortTtl));

        await ElapseAsync(ShortTtl * 2);

        Assert.Equal(1, await Store.IncrementAsync(Key("rate"), 1, ShortTtl));
    }

    [Fact]
    public async Task Concurrent_increments_are_not_lost()
    {
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Store.IncrementAsync(Key("many"), 1, TimeSpan.FromMinutes(1)))).WaitAsync(TestTimeouts.Default);
        Assert.Equal(101, await Store.IncrementAsync(Key("many"), 1, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Sets_add_remove_and_list_members()
    {
        Assert.True(await Store.SetAddAsync(Key("set"), "a"));
        Assert.False(await Store.SetAddAsync(Key("set"), "a"));
        Assert.True(await Store.SetAddAsync(Key("set"), "b"));
        Assert.True(await Store.SetRemoveAsync(Key("set"), "a"));
        Assert.False(await Store.SetRemoveAsync(Key("set"), "a"));
        Assert.Equal(["b"], await Store.SetMembersAsync(Key("set")));
        Assert.Empty(await Store.SetMembersAsync(Key("no-set")));
    }

    [Fact]
    public async Task Set_add_and_keep_extends_the_sets_lifetime_but_never_shortens_it()
    {
        Assert.True(await Store.SetAddAndKeepAsync(Key("index"), "a", TimeSpan.FromMinutes(1)));
        Assert.InRange(await Store.GetTimeToLiveAsync(Key("index")) ?? TimeSpan.Zero, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));

        Assert.True(await Store.SetAddAndKeepAsync(Key("index"), "b", TimeSpan.FromMinutes(10)));
        Assert.InRange(await Store.GetTimeToLiveAsync(Key("index")) ?? TimeSpan.Zero, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        Assert.False(await Store.SetAddAndKeepAsync(Key("index"), "b", TimeSpan.FromMinutes(1)));
        Assert.InRange(await Store.GetTimeToLiveAsync(Key("index")) ?? TimeSpan.Zero, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal(["a", "b"], (await Store.SetMembersAsync(Key("index"))).Order());

        // A set made without expiry gets one.
        await Store.SetAddAsync(Key("plain"), "a");
        Assert.True(await Store.SetAddAndKeepAsync(Key("plain"), "b", TimeSpan.FromMinutes(1)));
        Assert.NotNull(await Store.GetTimeToLiveAsync(Key("plain")));
    }

    [Fact]
    public async Task Get_many_returns_only_the_keys_that_exist()
    {
        await Store.SetAsync(Key("m1"), "1", null);
        await Store.SetAsync(Key("m2"), "2", TimeSpan.FromMinutes(1));
        var found = await Store.GetManyAsync([Key("m1"), Key("m2"), Key("m3")]);
        Assert.Equal(2, found.Count);
        Assert.Equal("1", found[Key("m1")]);
        Assert.Equal("2", found[Key("m2")]);
    }

    [Fact]
    public async Task Hash_fields_are_set_read_and_deleted_and_the_hash_lives_as_long_as_its_longest_field()
    {
        Assert.Empty(await Store.HashGetAllAsync(Key("hash")));

        await Store.HashSetAndKeepAsync(Key("hash"), "a", "1", TimeSpan.FromMinutes(10));
        await Store.HashSetAndKeepAsync(Key("hash"), "b", "2", TimeSpan.FromMinutes(1));
        await Store.HashSetAndKeepAsync(Key("hash"), "a", "3", TimeSpan.FromMinutes(1));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "3", ["b"] = "2" }, await Store.HashGetAllAsync(Key("hash")));
        Assert.InRange(await Store.GetTimeToLiveAsync(Key("hash")) ?? TimeSpan.Zero, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        Assert.True(await Store.HashDeleteAsync(Key("hash"), "b"));
        Assert.False(await Store.HashDeleteAsync(Key("hash"), "b"));
        Assert.Equal(["a"], (await Store.HashGetAllAsync(Key("hash"))).Keys);

        // A hash whose last field goes is gone.
        Assert.True(await Store.HashDeleteAsync(Key("hash"), "a"));
        Assert.Null(await Store.GetTimeToLiveAsync(Key("hash")));
        Assert.Empty(await Store.HashGetAllAsync(Key("hash")));
    }

    [Fact]
    public async Task A_hash_field_is_compare_deleted_only_while_it_holds_the_value_read()
    {
        await Store.HashSetAndKeepAsync(Key("cad"), "f", "old", TimeSpan.FromMinutes(1));
        await Store.HashSetAndKeepAsync(Key("cad"), "f", "new", TimeSpan.FromMinutes(1));

        Assert.False(await Store.HashCompareAndDeleteAsync(Key("cad"), "f", "old"));
        Assert.Equal("new", (await Store.HashGetAllAsync(Key("cad")))["f"]);
        Assert.True(await Store.HashCompareAndDeleteAsync(Key("cad"), "f", "new"));
        Assert.Empty(await Store.HashGetAllAsync(Key("cad")));
        Assert.False(await Store.HashCompareAndDeleteAsync(Key("missing-hash"), "f", "new"));
    }

    [Fact]
    public async Task Hashes_expire_with_their_lifetime()
    {
        await Store.HashSetAndKeepAsync(Key("short-hash"), "f", "v", ShortTtl);
        await ElapseAsync(ShortTtl * 2);
        Assert.Empty(await Store.HashGetAllAsync(Key("short-hash")));
    }

    [Fact]
    public async Task Sorted_set_scores_only_rise_and_members_below_a_score_are_removed_on_read()
    {
        await Store.SortedSetRaiseAndKeepAsync(Key("zset"), "a", 1_765_000_000_100, TimeSpan.FromMinutes(1));
        await Store.SortedSetRaiseAndKeepAsync(Key("zset"), "b", 1_765_000_000_300, TimeSpan.FromMinutes(10));
        await Store.SortedSetRaiseAndKeepAsync(Key("zset"), "a", 1_765_000_000_200, TimeSpan.FromMinutes(1));
        // A lower score neither lowers a member nor shortens the set's life.
        await Store.SortedSetRaiseAndKeepAsync(Key("zset"), "b", 1_765_000_000_050, TimeSpan.FromMinutes(1));
        Assert.InRange(await Store.GetTimeToLiveAsync(Key("zset")) ?? TimeSpan.Zero, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        Assert.Equal(["a", "b"], await Store.SortedSetRemoveBelowAndReadAsync(Key("zset"), 1_765_000_000_000));
        // The bound is exclusive: a member scored exactly at it stays ("a" at 200; "b" was raised to 300).
        Assert.Equal(["a", "b"], await Store.SortedSetRemoveBelowAndReadAsync(Key("zset"), 1_765_000_000_200));
        Assert.Equal(["b"], await Store.SortedSetRemoveBelowAndReadAsync(Key("zset"), 1_765_000_000_201));
        Assert.Empty(await Store.SortedSetRemoveBelowAndReadAsync(Key("zset"), 1_765_000_000_301));
        Assert.Empty(await Store.SortedSetRemoveBelowAndReadAsync(Key("missing-zset"), 0));
    }
}
