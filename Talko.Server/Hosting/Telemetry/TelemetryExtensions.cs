using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Talko.Core.Diagnostics;
using Talko.Server.Features.Notifications.Outbox;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for the host (ADR 0900): Talko's meters, ASP.NET Core, SignalR, HttpClient and runtime metrics, served
/// at /metrics for Prometheus and pushed over OTLP when an endpoint is configured; traces of requests, database and
/// Redis commands, hub events and SIP admissions when tracing is on.
/// </summary>
public static class TelemetryExtensions
{
    public const string MetricsPath = "/metrics";

    /// <summary>SignalR's server-side spans (.NET 9 and later) and connection metrics.</summary>
    private const string SignalRSource = "Microsoft.AspNetCore.SignalR.Server";
    private const string ConnectionsMeter = "Microsoft.AspNetCore.Http.Connections";

    public static IHostApplicationBuilder AddTalkoTelemetry(this IHostApplicationBuilder builder, InstanceIdentity instance, TalkoMode mode)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.Problem() is null, "Talko:Telemetry is invalid: see docs/configuration.md (OtlpEndpoint an http(s) URI, OtlpProtocol grpc or http/protobuf, intervals of at least a second, TraceSampleRatio 0-1, ScrapeKey 16+ characters).")
            .ValidateOnStart();
        builder.Services.AddSingleton<OutboxBacklog>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxBacklog>());
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<IDeliveryMetrics>(services => services.GetRequiredService<ServerMetrics>());

        // Read now as well: which exporters and instrumentations exist is decided while services are registered.
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = !string.IsNullOrWhiteSpace(options.OtlpEndpoint) && options.Problem() is null;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("talko", serviceInstanceId: instance.Id))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TalkoTelemetry.MeterPrefix + "*", ConnectionsMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (options.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        ConfigureOtlp(exporter, options);
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpMetricsInterval.TotalMilliseconds;
                    });
                }
            });

        if (options.Tracing)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                    .AddSource(TalkoTelemetry.ActivitySourceName, SignalRSource)
                    .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = http => !IsPlumbing(http.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation();
                if (mode.UsesRedis)
                {
                    tracing.AddRedisInstrumentation(redis => redis.FlushInterval = options.RedisSpanFlushInterval);
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter(exporter => ConfigureOtlp(exporter, options));
                }
            });
        }

        return builder;
    }

    /// <summary>/metrics behind its access rule (MetricsEndpointAccess); also starts the host's observed instruments.</summary>
    public static WebApplication MapTalkoMetrics(this WebApplication app)
    {
        app.Services.GetRequiredService<ServerMetrics>();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value.PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: MetricsEndpointAccess.Guard, optionsName: null)
                .ExcludeFromDescription();
        }

        return app;
    }

    /// <summary>Scrapes and probes: a span for each would drown the requests people make.</summary>
    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);

    private static void ConfigureOtlp(OtlpExporterOptions exporter, TelemetryOptions options)
    {
        exporter.Endpoint = new Uri(options.OtlpEndpoint!);
        exporter.Protocol = options.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        if (!string.IsNullOrWhiteSpace(options.OtlpHeaders))
        {
            exporter.Headers = options.OtlpHeaders;
        }
    }
}
