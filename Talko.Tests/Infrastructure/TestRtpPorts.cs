namespace Talko.Tests.Infrastructure;

/// <summary>
/// The one source of RTP port ranges for media engines and peers in tests. Blocks are handed out in turn so ranges
/// given to classes running in parallel never overlap, and they lie in 10000-19999: below the engine's default range
/// (20000-29999, used by hosts a test does not configure) and below the kernel's ephemeral ports (32768 and up,
/// where any socket the OS places for a client would steal ports from a small range).
/// </summary>
public static class TestRtpPorts
{
    private const int First = 10000;
    private const int End = 20000;
    private static readonly Lock Gate = new();

    // Each process starts at its own place, so two test processes on one machine (developers running subsets side
    // by side) rarely meet either; the engine's allocator skips a pair it cannot bind, so a rare meeting is harmless.
    private static int next = First + (Environment.ProcessId % 20 * 500);

    /// <summary>The first port of a block of <paramref name="size"/> ports (even, so RTP/RTCP pairs line up).</summary>
    public static int Block(int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, End - First);
        var length = size + (size % 2);
        lock (Gate)
        {
            if (next + length > End)
            {
                next = First;
            }

            var start = next;
            next += length;
            return start;
        }
    }
}
