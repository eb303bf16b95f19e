using Talko.Core.Ephemeral;
using Talko.Core.Eventing;

namespace Talko.Core.Calls;

/// <summary>Typed call commands over the event bus: one channel, every instance hears every command (fire-and-forget).</summary>
public sealed class CallCommandBus(IEventBus bus, KeySpace keys)
{
    public Task PublishAsync(CallCommand command) => bus.PublishAsync(keys.CallCommandsChannel, CallCommands.Write(command));

    /// <summary>
    /// Hands each command to <paramref name="handler"/> in publish order; a message that is not a command goes to
    /// <paramref name="unreadable"/> (to be logged) and harms nothing else.
    /// </summary>
    public Task<IAsyncDisposable> SubscribeAsync(Func<CallCommand, Task> handler, Action<string> unreadable) =>
        bus.SubscribeAsync(keys.CallCommandsChannel, message =>
        {
            if (CallCommands.TryRead(message) is { } command)
            {
                return handler(command);
            }

            unreadable(message);
            return Task.CompletedTask;
        });
}
