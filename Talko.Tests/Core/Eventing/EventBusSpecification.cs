using System.Collections.Concurrent;
using Talko.Core.Eventing;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Eventing;

/// <summary>What every <see cref="IEventBus"/> must do; runs in-process and on real Redis.</summary>
public abstract class EventBusSpecification
{
    /// <summary>Two buses that stand for two instances of one deployment (the same bus in-process).</summary>
    protected abstract (IEventBus First, IEventBus Second) Buses { get; }

    protected abstract string Channel(string name);

    [Fact]
    public async Task A_message_reaches_every_subscriber_of_its_channel_on_every_instance()
    {
        var (first, second) = Buses;
        var onFirst = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var onSecond = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await first.SubscribeAsync(Channel("news"), m => { onFirst.TrySetResult(m); return Task.CompletedTask; });
        await using var b = await second.SubscribeAsync(Channel("news"), m => { onSecond.TrySetResult(m); return Task.CompletedTask; });

        await first.PublishAsync(Channel("news"), "hello");

        Assert.Equal("hello", await onFirst.Task.WaitAsync(TestTimeouts.Default));
        Assert.Equal("hello", await onSecond.Task.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Messages_arrive_in_publish_order()
    {
        var (first, second) = Buses;
        var received = new ConcurrentQueue<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await second.SubscribeAsync(Channel("ordered"), async m =>
        {
            // A handler that yields must still see messages one at a time, in order.
            await Task.Yield();
            received.Enqueue(m);
            if (received.Count == 200)
            {
                all.TrySetResult();
            }
        });

        for (var i = 0; i < 200; i++)
        {
            await first.PublishAsync(Channel("ordered"), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await all.Task.WaitAsync(TestTimeouts.Default);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), received);
    }

    [Fact]
    public async Task Other_channels_and_disposed_subscriptions_receive_nothing()
    {
        var (first, second) = Buses;
        var stray = 0;
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var other = await second.SubscribeAsync(Channel("other"), _ => { Interlocked.Increment(ref stray); return Task.CompletedTask; });
        var gone = await second.SubscribeAsync(Channel("topic"), _ => { Interlocked.Increment(ref stray); return Task.CompletedTask; });
        await gone.DisposeAsync();
        await using var witness = await second.SubscribeAsync(Channel("topic"), _ => { marker.TrySetResult(); return Task.CompletedTask; });

        await first.PublishAsync(Channel("topic"), "x");

        // The witness subscribed after the publish reached nobody else; once it has the message, any
        // stray delivery to the other two would already have happened on the same connection.
        await marker.Task.WaitAsync(TestTimeouts.Default);
        await Task.Delay(100);
        Assert.Equal(0, Volatile.Read(ref stray));
    }

    [Fact]
    public async Task A_failing_handler_does_not_stop_later_messages()
    {
        var (first, second) = Buses;
        var second_message = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await second.SubscribeAsync(Channel("faulty"), m =>
            m == "boom" ? throw new InvalidOperationException("handler failure") : Task.FromResult(second_message.TrySetResult(m)));

        await first.PublishAsync(Channel("faulty"), "boom");
        await first.PublishAsync(Channel("faulty"), "fine");

        Assert.Equal("fine", await second_message.Task.WaitAsync(TestTimeouts.Default));
    }
}
