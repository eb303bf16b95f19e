using Talko.Core.Sip;

namespace Talko.Tests.Core.Sip;

/// <summary>Random bytes drawn a batch at a time are never handed out twice, on one thread or several.</summary>
public sealed class BatchedRandomTests
{
    [Fact]
    public void Small_draws_across_many_batches_never_repeat()
    {
        // 8-byte draws: 20,000 of them span over 300 batches; a repeat would mean a batch was reused or not refilled.
        var seen = new HashSet<ulong>();
        Span<byte> draw = stackalloc byte[8];
        for (var i = 0; i < 20_000; i++)
        {
            BatchedRandom.Fill(draw);
            Assert.True(seen.Add(BitConverter.ToUInt64(draw)), $"draw {i} repeated an earlier one");
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(4096)]
    public void Draws_of_any_size_are_filled(int size)
    {
        // Two filled draws of 7 bytes or more come out equal with odds of 2^-56 at most; unfilled ones always would.
        var first = new byte[size];
        var second = new byte[size];
        BatchedRandom.Fill(first);
        BatchedRandom.Fill(second);
        Assert.False(first.AsSpan().SequenceEqual(second), "two draws came out equal");
    }

    [Fact]
    public async Task Threads_draw_from_batches_of_their_own()
    {
        var draws = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            var mine = new List<ulong>();
            var draw = new byte[8];
            for (var i = 0; i < 2_000; i++)
            {
                BatchedRandom.Fill(draw);
                mine.Add(BitConverter.ToUInt64(draw));
            }

            return mine;
        })));
        var all = draws.SelectMany(d => d).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
