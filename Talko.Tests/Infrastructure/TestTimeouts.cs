using System.Runtime.CompilerServices;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// Upper bounds for awaits in tests, generous because the machines are shared and noisy, and the one way tests wait
/// for something to become true: poll it, with every read itself bounded, until it holds or the limit passes.
/// </summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; then fails with <paramref name="what"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var (held, _) = await PollAsync(condition, held => held, timeout);
        if (!held)
        {
            Assert.Fail($"Timed out after {timeout.TotalSeconds:F0} s waiting for: {what}");
        }
    }

    /// <summary>Polls an in-memory <paramref name="condition"/>; the failure quotes the condition's code.</summary>
    public static Task EventuallyAsync(Func<bool> condition, TimeSpan timeout, [CallerArgumentExpression(nameof(condition))] string what = "") =>
        EventuallyAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Reads until <paramref name="done"/> holds for what was read, and returns that; fails naming <paramref name="what"/> and the last read.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var (held, last) = await PollAsync(read, done, timeout);
        return held ? last : throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last: {System.Text.Json.JsonSerializer.Serialize(last)}");
    }

    /// <summary>Whether <paramref name="condition"/> came to hold within <paramref name="timeout"/>, for waits whose outcome is a figure rather than a check.</summary>
    public static async Task<bool> CameTrueWithinAsync(Func<bool> condition, TimeSpan timeout) =>
        (await PollAsync(() => Task.FromResult(condition()), held => held, timeout)).Held;

    private static async Task<(bool Held, T Last)> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var last = await read().WaitAsync(timeout);
            if (done(last))
            {
                return (true, last);
            }

            if (DateTime.UtcNow >= deadline)
            {
                return (false, last);
            }

            await Task.Delay(PollInterval);
        }
    }
}
