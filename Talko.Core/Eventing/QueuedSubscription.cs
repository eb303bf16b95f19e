using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Eventing;

/// <summary>One subscriber's ordered queue and the loop that drains it into the handler.</summary>
internal sealed class QueuedSubscription : IAsyncDisposable
{
    private readonly Channel<string> queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<string, Task> handler;
    private readonly ILogger logger;
    private readonly string channel;
    private readonly Task pump;

    public QueuedSubscription(Func<string, Task> handler, ILogger logger, string channel)
    {
        this.handler = handler;
        this.logger = logger;
        this.channel = channel;
        pump = Task.Run(PumpAsync);
    }

    public Action? OnDispose { get; set; }

    public void Enqueue(string message) => queue.Writer.TryWrite(message);

    public async ValueTask DisposeAsync()
    {
        OnDispose?.Invoke();
        queue.Writer.TryComplete();
        await pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        await foreach (var message in queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await handler(message).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // A failing subscriber must not stop delivery of later messages.
                EventBusLog.HandlerFailed(logger, exception, channel);
            }
        }
    }
}
