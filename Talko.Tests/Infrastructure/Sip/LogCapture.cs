using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>Keeps every log entry at or above Information, so a test can count what a flood made the server write.</summary>
internal sealed class LogCapture : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Event, string Message, Exception? Exception)> entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Event, string Message, Exception? Exception)> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture.entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}
