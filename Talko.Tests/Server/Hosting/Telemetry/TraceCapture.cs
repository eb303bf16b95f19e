using System.Diagnostics;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Hosting.Telemetry;

/// <summary>
/// Spans a host's in-memory exporter collected (ConfigureOpenTelemetryTracerProvider + AddInMemoryExporter). The
/// exporter adds from the threads that end spans while the test reads; other hosts in the test process make spans
/// too, so tests pick theirs by trace id.
/// </summary>
internal sealed class TraceCapture : System.Collections.ObjectModel.Collection<Activity>
{
    private readonly Lock gate = new();

    public List<Activity> Snapshot()
    {
        lock (gate)
        {
            return [.. Items];
        }
    }

    /// <summary>Polls the spans until <paramref name="find"/> returns something (up to the default test timeout).</summary>
    public async Task<T> WaitForAsync<T>(Func<List<Activity>, T?> find, string what) where T : class =>
        (await TestTimeouts.EventuallyAsync(() => Task.FromResult(find(Snapshot())), found => found is not null, TestTimeouts.Default, what))!;

    /// <summary>Whether <paramref name="span"/> descends from <paramref name="root"/> through spans of <paramref name="trace"/>.</summary>
    public static bool Descends(Activity span, Activity root, IReadOnlyList<Activity> trace)
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

    public static bool IsDatabase(Activity a) => a.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal);

    public static bool IsRedis(Activity a) => a.Source.Name.Contains("StackExchangeRedis", StringComparison.Ordinal);

    protected override void InsertItem(int index, Activity item)
    {
        lock (gate)
        {
            base.InsertItem(index, item);
        }
    }
}
