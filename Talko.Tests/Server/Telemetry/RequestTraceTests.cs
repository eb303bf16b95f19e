using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Talko.Tests.Calls;
using Talko.Tests.Features.Conversations;
using Talko.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Telemetry;

/// <summary>
/// One REST request as one trace (ADR 0900), against real PostgreSQL and Redis: starting a call is a server span
/// whose children are its EF Core commands, its Redis commands and the hub publication of callStarted.
/// </summary>
public sealed class RequestTraceTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Starting_a_call_is_one_trace_with_its_database_redis_and_hub_spans()
    {
        var exported = new ExportedSpans();
        await using var host = new TalkoHost(
            TalkoHostOptions.ScaledOut(postgres, redis) with
            {
                Settings = new Dictionary<string, string?>
                {
                    ["Talko:Telemetry:TracingEnabled"] = "true",
                    ["Talko:Telemetry:RedisSpanFlushInterval"] = "00:00:00.200",
                },
            },
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported)));
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Traced");

        var call = await alice.Client.StartCallAsync(conversation.Id);

        // Other hosts in this test process make spans too: everything is found through the request's own trace id.
        var request = await EventuallyAsync(() => Snapshot(exported).FirstOrDefault(a =>
            a.Kind == ActivityKind.Server && a.DisplayName.StartsWith("POST", StringComparison.Ordinal)
            && (a.GetTagItem("url.path") as string) == $"/v1/conversations/{conversation.Id}/calls"), "the request's server span");
        var trace = await EventuallyAsync(() =>
        {
            var spans = Snapshot(exported).Where(a => a.TraceId == request.TraceId).ToList();
            return spans.Any(IsRedis) && spans.Any(IsDatabase) && spans.Any(IsPublish) ? spans : null;
        }, "database, Redis and hub spans in the request's trace");
        foreach (var span in trace.OrderBy(a => a.StartTimeUtc))
        {
            output.WriteLine($"{span.Source.Name,-55} {span.DisplayName,-40} parent {span.ParentSpanId}");
        }

        Assert.Equal("201", request.GetTagItem("http.response.status_code")?.ToString());
        Assert.Equal("postgresql", trace.First(IsDatabase).GetTagItem("db.system")?.ToString() ?? trace.First(IsDatabase).GetTagItem("db.system.name")?.ToString());
        Assert.Contains(trace, a => IsPublish(a) && a.DisplayName == "publish callStarted");
        Assert.All(trace.Where(a => a != request), a => Assert.True(InTree(a, request, trace), $"{a.DisplayName} hangs off the request"));
        Assert.NotEqual(Guid.Empty, call.Id);
    }

    private static bool IsDatabase(Activity a) => a.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal);

    private static bool IsRedis(Activity a) => a.Source.Name.Contains("StackExchangeRedis", StringComparison.Ordinal);

    private static bool IsPublish(Activity a) => a.Source.Name == "Talko" && a.DisplayName.StartsWith("publish ", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="span"/> descends from <paramref name="root"/> through spans of the trace.</summary>
    private static bool InTree(Activity span, Activity root, IReadOnlyList<Activity> trace)
    {
        var parent = span.ParentSpanId;
        for (var depth = 0; depth < 32; depth++)
        {
            if (parent == root.SpanId)
            {
                return true;
            }

            var next = trace.FirstOrDefault(a => a.SpanId == parent);
            if (next is null)
            {
                return false;
            }

            parent = next.ParentSpanId;
        }

        return false;
    }

    private static List<Activity> Snapshot(ExportedSpans exported) => exported.Snapshot();

    private static async Task<T> EventuallyAsync<T>(Func<T?> read, string what) where T : class
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (DateTime.UtcNow < deadline)
        {
            if (read() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out waiting for {what}.");
    }

    /// <summary>The in-memory exporter adds from the threads that end spans; this collection lets the test read meanwhile.</summary>
    private sealed class ExportedSpans : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly Lock gate = new();

        public List<Activity> Snapshot()
        {
            lock (gate)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (gate)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
