using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Talko.Tests.Infrastructure;

/// <summary>A Serilog sink that keeps every event of one host (level, properties, exception), so a test can check how something was logged.</summary>
public sealed class CapturedLogEvents : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> events = new();

    public IReadOnlyList<LogEvent> Events => [.. events];

    public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);

    public void Clear() => events.Clear();

    /// <summary>Events whose property <paramref name="name"/> renders as <paramref name="value"/> (strings unquoted).</summary>
    public IReadOnlyList<LogEvent> With(string name, string value) =>
        Events.Where(e => e.Properties.TryGetValue(name, out var property) && Render(property) == value).ToList();

    public static string Render(LogEventPropertyValue value) =>
        value is ScalarValue { Value: string text } ? text : value.ToString();

    public static string Describe(IEnumerable<LogEvent> events) =>
        string.Join(Environment.NewLine, events.Select(e =>
            $"{e.Level} {e.Properties.GetValueOrDefault("SourceContext")} {e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)} {e.Exception?.GetType().Name}"));
}
