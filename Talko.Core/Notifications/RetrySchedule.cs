namespace Talko.Core.Notifications;

/// <summary>
/// Exponential backoff for failed deliveries: base × 2^(attempt−1), capped, spread by a random jitter so
/// instances retrying after one outage do not arrive together, and never sooner than the provider's Retry-After.
/// </summary>
public sealed record RetrySchedule(TimeSpan BaseDelay, TimeSpan MaxDelay, double Jitter, TimeSpan MaxRetryAfter)
{
    /// <param name="attempts">Attempts made so far (1 after the first failure).</param>
    /// <param name="retryAfter">The provider's Retry-After, if it sent one.</param>
    /// <param name="random">A value in [0, 1) that spreads the delay; tests pass a fixed one.</param>
    public TimeSpan DelayAfter(int attempts, TimeSpan? retryAfter, double random)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var backoff = Math.Min(BaseDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxDelay.TotalMilliseconds);
        // Jitter takes away up to Jitter × backoff, so MaxDelay stays the ceiling.
        backoff *= 1 - (Math.Clamp(Jitter, 0, 1) * random);
        var delay = TimeSpan.FromMilliseconds(backoff);
        if (retryAfter is { } asked)
        {
            var honoured = asked > MaxRetryAfter ? MaxRetryAfter : asked;
            if (honoured > delay)
            {
                delay = honoured;
            }
        }

        return delay;
    }
}
