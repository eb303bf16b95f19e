namespace Talko.Server.Kernel;

/// <summary>Settings under "Talko" that the host itself needs. Feature settings live beside their features.</summary>
public sealed class TalkoOptions
{
    public const string Section = "Talko";

    /// <summary>Where the embedded mode keeps its SQLite file, blobs and generated keys; relative to the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Prefix of every Redis key and channel, so deployments can share one Redis.</summary>
    public string RedisPrefix { get; set; } = "talko";

    /// <summary>Apply pending EF Core migrations when the process starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// How often a failure that repeats (Redis or PostgreSQL away) is written to the log by each component that meets
    /// it; occurrences in between are counted into the next line, so an outage costs a few lines, not one per request.
    /// </summary>
    public TimeSpan RepeatedFailureLogInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long SIGTERM waits for hosted services to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
