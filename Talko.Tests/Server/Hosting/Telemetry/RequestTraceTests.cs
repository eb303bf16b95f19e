using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Hosting.Telemetry;

/// <summary>
/// One REST request as one trace (ADR 0900), against real PostgreSQL and Redis: starting a call is a server span
/// whose children are its EF Core commands, its Redis commands and the hub publication of callStarted.
/// </summary>
public sealed class RequestTraceTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    /// <summary>A scaled-out host that records traces into <paramref name="spans"/>.</summary>
    internal static TalkoHost TracedHost(TalkoHostOptions options, TraceCapture spans, IReadOnlyDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>(options.Settings)
        {
            ["Talko:Telemetry:TracingEnabled"] = "true",
            ["Talko:Telemetry:RedisSpanFlushInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new TalkoHost(options with { Settings = settings },
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
    }

    [Fact]
    public async Task Starting_a_call_is_one_trace_with_its_database_redis_and_hub_spans()
    {
        var spans = new TraceCapture();
        await using var host = TracedHost(TalkoHostOptions.ScaledOut(postgres, redis), spans);
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Traced");

        var call = await alice.Client.StartCallAsync(conversation.Id);

        var request = await spans.WaitForAsync(all => all.FirstOrDefault(a =>
            a.Kind == ActivityKind.Server && a.DisplayName.StartsWith("POST", StringComparison.Ordinal)
            && (a.GetTagItem("url.path") as string) == $"/v1/conversations/{conversation.Id}/calls"), "the request's server span");
        var trace = await spans.WaitForAsync(all =>
        {
            var mine = all.Where(a => a.TraceId == request.TraceId).ToList();
            return mine.Any(TraceCapture.IsRedis) && mine.Any(TraceCapture.IsDatabase) && mine.Any(IsPublish) ? mine : null;
        }, "database, Redis and hub spans in the request's trace");
        foreach (var span in trace.OrderBy(a => a.StartTimeUtc))
        {
            output.WriteLine($"{span.Source.Name,-55} {span.DisplayName,-40} parent {span.ParentSpanId}");
        }

        Assert.Equal("201", request.GetTagItem("http.response.status_code")?.ToString());
        var database = trace.First(TraceCapture.IsDatabase);
        Assert.Equal("postgresql", (database.GetTagItem("db.system") ?? database.GetTagItem("db.system.name"))?.ToString());
        Assert.Contains(trace, a => IsPublish(a) && a.DisplayName == "publish callStarted");
        Assert.All(trace.Where(a => a != request), a => Assert.True(TraceCapture.Descends(a, request, trace), $"{a.DisplayName} hangs off the request"));
        Assert.NotEqual(Guid.Empty, call.Id);
    }

    private static bool IsPublish(Activity a) => a.Source.Name == "Talko" && a.DisplayName.StartsWith("publish ", StringComparison.Ordinal);
}
