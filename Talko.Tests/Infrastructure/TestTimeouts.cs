namespace Talko.Tests.Infrastructure;

/// <summary>Upper bounds for awaits in tests: generous, because the machines are shared and noisy.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; then fails with <paramref name="what"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition().WaitAsync(timeout))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Timed out after {timeout.TotalSeconds:F0} s waiting for: {what}");
    }
}
