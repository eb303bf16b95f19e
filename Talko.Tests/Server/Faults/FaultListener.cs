using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Conversations;
using Talko.Server.Features.Realtime;
using Talko.Server.Features.Sync;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// Bob's realtime client on one instance, following docs/realtime.md and nothing else: sync from its stored token once
/// ready, apply <c>itemCreated</c>, sync again on <c>resync</c> and after a reconnect. The test never asks it to sync:
/// what it ends up with is what the protocol gave it.
/// </summary>
internal sealed class FaultListener : IAsyncDisposable
{
    private readonly HubConnection hub;
    private readonly HttpClient client;
    private readonly AnswerLog log;
    private readonly string instance;
    private readonly Guid conversationId;
    private readonly ConcurrentDictionary<long, string> texts = new();
    private readonly SemaphoreSlim syncing = new(1, 1);
    private readonly ConcurrentQueue<TimeSpan> resyncs = new();
    private string? token;

    private FaultListener(FaultCluster cluster, TalkoProcess on, AnswerLog log)
    {
        this.log = log;
        instance = on.Options.InstanceId;
        conversationId = cluster.ConversationId;
        client = cluster.Client(on, cluster.BobToken);
        hub = new HubConnectionBuilder()
            .WithUrl(new Uri(on.BaseAddress, "hubs/talko"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(cluster.BobToken);
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            })
            .WithAutomaticReconnect()
            .AddJsonProtocol(options => options.PayloadSerializerOptions = TalkoJson.Options)
            .Build();
        hub.On<TimelineItem>("itemCreated", Apply);
        hub.On<RealtimeResync>(RealtimeConnections.ResyncEvent, resync =>
        {
            resyncs.Enqueue(log.Clock.Elapsed);
            _ = SyncAsync();
        });
        hub.Reconnected += _ => SyncAsync();
    }

    /// <summary>When each <c>resync</c> arrived, on the log's clock.</summary>
    public IReadOnlyList<TimeSpan> Resyncs => [.. resyncs];

    /// <summary>Texts of the conversation this client has, by seq.</summary>
    public IReadOnlyDictionary<long, string> Texts => texts;

    public static async Task<FaultListener> StartAsync(FaultCluster cluster, TalkoProcess on, AnswerLog log)
    {
        var listener = new FaultListener(cluster, on, log);
        await listener.hub.StartAndWaitUntilReadyAsync();
        await listener.SyncAsync();
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        await hub.DisposeAsync();
        client.Dispose();
    }

    /// <summary>Step 2 of the protocol: pages from the stored token until none is left; a 503 or no answer is retried.</summary>
    private async Task SyncAsync()
    {
        await syncing.WaitAsync();
        try
        {
            var deadline = log.Clock.Elapsed + TestTimeouts.Long;
            var more = true;
            while (more && log.Clock.Elapsed < deadline)
            {
                var since = token is null ? "" : $"?since={Uri.EscapeDataString(token)}";
                using var response = await log.SendAsync("sync", instance, () => client.GetAsync($"/v1/sync{since}").WaitAsync(TestTimeouts.Default));
                if (response is not { IsSuccessStatusCode: true })
                {
                    await Task.Delay(500);
                    continue;
                }

                var page = System.Text.Json.JsonSerializer.Deserialize<SyncPage>(await response.Content.ReadAsStringAsync(), TalkoJson.Options)!;
                foreach (var item in page.Items)
                {
                    Apply(item);
                }

                token = page.Token;
                more = page.HasMore;
            }
        }
        finally
        {
            syncing.Release();
        }
    }

    private void Apply(TimelineItem item)
    {
        if (item.ConversationId == conversationId && item.Kind == ItemKind.Text && item.Text is { } text)
        {
            texts[item.Seq] = text;
        }
    }
}
