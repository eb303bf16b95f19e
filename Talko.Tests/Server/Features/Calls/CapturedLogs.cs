using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>A Serilog sink that keeps every rendered line of one host, so a test can check what it reported (e.g. a rejoin's audio gap).</summary>
internal sealed class CapturedLogs : ILogEventSink
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public void Emit(LogEvent logEvent) => lines.Enqueue(logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
}
