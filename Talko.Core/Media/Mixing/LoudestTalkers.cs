namespace Talko.Core.Media.Mixing;

/// <summary>
/// Picks the loudest few legs of a tick (ADR 0930): the mixer decodes and mixes only those. A leg picked on the previous
/// tick keeps a small advantage, so two talkers of about the same level do not swap places every 20 ms (each swap cuts one
/// of them in or out). Allocates nothing; O(legs x picks), and the picks are few.
/// </summary>
public static class LoudestTalkers
{
    /// <summary>The advantage, in dB, of a leg that was picked on the previous tick.</summary>
    public const double HysteresisDb = 3;

    /// <summary>
    /// Sets <paramref name="picked"/>[i] for the <paramref name="count"/> highest <paramref name="levelsDbov"/> (dBov: 0 is full
    /// scale); a leg with <see cref="double.NegativeInfinity"/> (silent, or below the contribution threshold) is never picked.
    /// Ties go to the earlier leg (the one that joined first).
    /// </summary>
    /// <returns>How many were picked.</returns>
    public static int Pick(ReadOnlySpan<double> levelsDbov, ReadOnlySpan<bool> pickedBefore, int count, Span<bool> picked)
    {
        if (pickedBefore.Length < levelsDbov.Length || picked.Length < levelsDbov.Length)
        {
            throw new ArgumentException("The flags must cover every level.");
        }

        picked[..levelsDbov.Length].Clear();
        var chosen = 0;
        for (; chosen < count; chosen++)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < levelsDbov.Length; i++)
            {
                if (picked[i] || double.IsNegativeInfinity(levelsDbov[i]))
                {
                    continue;
                }

                var score = levelsDbov[i] + (pickedBefore[i] ? HysteresisDb : 0);
                if (best < 0 || score > bestScore)
                {
                    best = i;
                    bestScore = score;
                }
            }

            if (best < 0)
            {
                break;
            }

            picked[best] = true;
        }

        return chosen;
    }

    /// <summary>The level in dBov of a frame whose energy (sum of squares) over <paramref name="samples"/> is <paramref name="energy"/>.</summary>
    public static double Dbov(long energy, int samples) =>
        energy <= 0 || samples <= 0 ? double.NegativeInfinity : 10 * Math.Log10((double)energy / samples / (32768.0 * 32768.0));
}
