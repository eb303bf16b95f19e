using Talko.Core.Sip.Registrar;

namespace Talko.Tests.Core.Sip.Registrar;

public sealed class NonceCountTableTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private static NonceStamp Issued(long sequence, DateTimeOffset? at = null) => new(at ?? Start, sequence);

    [Fact]
    public void Counts_must_rise_for_each_nonce()
    {
        var table = new NonceCountTable(capacity: 10, Lifetime);
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("a", Issued(1), 1, Start));
        Assert.Equal(NonceCountOutcome.Replayed, table.Advance("a", Issued(1), 1, Start));
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("a", Issued(1), 3, Start));
        Assert.Equal(NonceCountOutcome.Replayed, table.Advance("a", Issued(1), 2, Start));
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("b", Issued(2), 1, Start));
    }

    [Fact]
    public void A_nonce_pushed_out_by_others_is_never_accepted_again()
    {
        var table = new NonceCountTable(capacity: 10, Lifetime);
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("victim", Issued(1), 1, Start));
        // An authenticated client burns fresh nonces to push the victim's out, all in the same millisecond.
        for (var i = 2; i <= 11; i++)
        {
            Assert.Equal(NonceCountOutcome.Advanced, table.Advance($"burnt-{i}", Issued(i), 1, Start));
        }

        Assert.True(table.Count <= 10, $"the table holds {table.Count} nonces, more than its capacity");
        // The victim's counts are gone: a replay of its first request must not pass as new.
        Assert.Equal(NonceCountOutcome.Forgotten, table.Advance("victim", Issued(1), 1, Start));
        // Nonces issued after the forgotten one keep their counts, and a fresh one is accepted.
        Assert.Equal(NonceCountOutcome.Replayed, table.Advance("burnt-11", Issued(11), 1, Start));
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("burnt-11", Issued(11), 2, Start));
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("fresh", Issued(12), 1, Start));
    }

    [Fact]
    public void Expired_nonces_make_room_without_forgetting_live_ones()
    {
        var table = new NonceCountTable(capacity: 3, Lifetime);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(NonceCountOutcome.Advanced, table.Advance($"old-{i}", Issued(i), 1, Start));
        }

        var later = Start + Lifetime + TimeSpan.FromSeconds(1);
        // Issued before "new" but used after it: still tracked, since only expired nonces were forgotten.
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("new", Issued(5, later), 1, later));
        Assert.Equal(1, table.Count);
        Assert.Equal(NonceCountOutcome.Advanced, table.Advance("issued-earlier", Issued(4, later), 1, later));
        // An expired nonce that a slower request still saw as live is not brought back by it.
        Assert.Equal(NonceCountOutcome.Forgotten, table.Advance("old-3", Issued(3), 2, later));
    }

    [Fact]
    public void A_table_needs_room_for_one_nonce() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new NonceCountTable(capacity: 0, Lifetime));
}
