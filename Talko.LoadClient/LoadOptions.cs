namespace Talko.LoadClient;

/// <summary>The shape of a load run.</summary>
public sealed record LoadOptions
{
    /// <summary>A load balancer, or several instances to pick among by readiness.</summary>
    public required IReadOnlyList<Uri> Addresses { get; init; }

    /// <summary>Simulated devices, one user each.</summary>
    public int Users { get; init; } = 20;

    /// <summary>Members of each conversation (the last one may be smaller).</summary>
    public int UsersPerConversation { get; init; } = 5;

    /// <summary>Each user posts about this often (uniformly 0.5x to 1.5x).</summary>
    public TimeSpan PostInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per post, with the same idempotency key, before it counts as abandoned.</summary>
    public int PostAttempts { get; init; } = 8;

    /// <summary>Upper bound of any one HTTP request or hub start.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sign-ups running at once during setup.</summary>
    public int SetupParallelism { get; init; } = 4;

    /// <summary>After posting stops, how long to let events arrive before the final sync.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(3);
}
