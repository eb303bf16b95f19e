using System.Collections.Concurrent;
using Talko.Core.Conversations;
using Talko.Server.Features.Conversations;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// The clients of a fault test, as a load balancer would spread them: Alice posts a text every 100 ms, alternating
/// between the two instances, and Bob reads the conversation's latest items the same way. A post that got no 2xx is
/// retried with the same idempotency key on the next turn (the other instance), as a client must; an instance that
/// does not answer (killed) is skipped as a load balancer's health check would.
/// </summary>
internal sealed class FaultTraffic(FaultCluster cluster, AnswerLog log)
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, long> acknowledged = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<TimeSpan> acknowledgedAt = new();
    private readonly ConcurrentDictionary<string, bool> gone = new(StringComparer.Ordinal);

    /// <summary>Texts that got a 2xx, with the seq the answer gave them.</summary>
    public IReadOnlyDictionary<string, long> Acknowledged => acknowledged;

    /// <summary>When each acknowledgement arrived, on the log's clock.</summary>
    public IReadOnlyList<TimeSpan> AcknowledgedAt => [.. acknowledgedAt];

    /// <summary>Stops sending to <paramref name="instance"/> (it was killed on purpose).</summary>
    public void Remove(TalkoProcess instance) => gone[instance.Options.InstanceId] = true;

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(PostAsync(stop), ReadAsync(stop));

    private async Task PostAsync(CancellationToken stop)
    {
        using var one = cluster.Client(cluster.One, cluster.AliceToken);
        using var two = cluster.Client(cluster.Two, cluster.AliceToken);
        (string Text, string Key)? pending = null;
        var next = 0;
        for (var turn = 0; !stop.IsCancellationRequested; turn++)
        {
            pending ??= ($"message {next++}", Guid.NewGuid().ToString("N"));
            var (instance, client) = Pick(turn, one, two);
            var (text, key) = pending.Value;
            using var response = await log.SendAsync("post", instance.Options.InstanceId, () => client.PostTextAsync(cluster.ConversationId, key, text));
            if (response is { IsSuccessStatusCode: true })
            {
                var item = System.Text.Json.JsonSerializer.Deserialize<TimelineItem>(await response.Content.ReadAsStringAsync(), TalkoJson.Options)!;
                acknowledged[text] = item.Seq;
                acknowledgedAt.Enqueue(log.Clock.Elapsed);
                pending = null;
            }

            await Delay(stop);
        }
    }

    private async Task ReadAsync(CancellationToken stop)
    {
        using var one = cluster.Client(cluster.One, cluster.BobToken);
        using var two = cluster.Client(cluster.Two, cluster.BobToken);
        for (var turn = 0; !stop.IsCancellationRequested; turn++)
        {
            var (instance, client) = Pick(turn, one, two);
            using var response = await log.SendAsync("read", instance.Options.InstanceId,
                () => client.GetAsync($"/v1/conversations/{cluster.ConversationId}/items?limit=5").WaitAsync(TestTimeouts.Default));
            await Delay(stop);
        }
    }

    private (TalkoProcess Instance, HttpClient Client) Pick(int turn, HttpClient one, HttpClient two)
    {
        var first = turn % 2 == 0;
        if (gone.ContainsKey((first ? cluster.One : cluster.Two).Options.InstanceId))
        {
            first = !first;
        }

        return first ? (cluster.One, one) : (cluster.Two, two);
    }

    private static async Task Delay(CancellationToken stop)
    {
        try
        {
            await Task.Delay(Pace, stop);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
