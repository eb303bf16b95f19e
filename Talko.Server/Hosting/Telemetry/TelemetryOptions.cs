namespace Talko.Server.Hosting.Telemetry;

/// <summary>Metrics and traces (Talko:Telemetry): the Prometheus scrape endpoint, and OTLP export when an endpoint is set.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Talko:Telemetry";

    /// <summary>Serve the Prometheus scrape endpoint at /metrics.</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>
    /// Bearer token a scraper must send to /metrics (Authorization: Bearer ...). Unset: /metrics answers only requests
    /// made on the loopback interface with no forwarding headers, so nothing outside the host reads it.
    /// </summary>
    public string? ScrapeKey { get; set; }

    /// <summary>OTLP collector endpoint (e.g. http://otel-collector:4317). Unset: nothing is exported over OTLP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>OTLP protocol: "grpc" or "http/protobuf".</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Extra OTLP headers, "key=value" pairs separated by commas (a collector's API key, say).</summary>
    public string? OtlpHeaders { get; set; }

    /// <summary>How often metrics are pushed over OTLP.</summary>
    public TimeSpan OtlpMetricsInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Record traces. Unset: on exactly when <see cref="OtlpEndpoint"/> is set (with nowhere to go they only cost).</summary>
    public bool? TracingEnabled { get; set; }

    /// <summary>Share of new traces recorded (0-1); a trace started upstream keeps its caller's decision.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>How often the notification outbox's depth and oldest pending row are read for the metrics.</summary>
    public TimeSpan OutboxSampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How soon Redis commands become spans (the instrumentation collects them in batches).</summary>
    public TimeSpan RedisSpanFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool Tracing => TracingEnabled ?? !string.IsNullOrWhiteSpace(OtlpEndpoint);

    /// <summary>The rules start-up enforces; null when the options are usable.</summary>
    public string? Problem()
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint)
            && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            return "OtlpEndpoint must be an absolute http or https URI.";
        }

        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            return "OtlpProtocol must be \"grpc\" or \"http/protobuf\".";
        }

        if (OtlpMetricsInterval < TimeSpan.FromSeconds(1) || OutboxSampleInterval < TimeSpan.FromSeconds(1))
        {
            return "OtlpMetricsInterval and OutboxSampleInterval must be at least one second.";
        }

        if (RedisSpanFlushInterval < TimeSpan.FromMilliseconds(100) || RedisSpanFlushInterval > TimeSpan.FromMinutes(1))
        {
            return "RedisSpanFlushInterval must be between 100 ms and one minute.";
        }

        if (TraceSampleRatio is < 0 or > 1 || double.IsNaN(TraceSampleRatio))
        {
            return "TraceSampleRatio must be between 0 and 1.";
        }

        if (ScrapeKey is { Length: > 0 and < 16 })
        {
            return "ScrapeKey must be at least 16 characters.";
        }

        return null;
    }
}
