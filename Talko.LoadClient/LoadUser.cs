using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Talko.LoadClient;

/// <summary>A reconnect the server asked for, and when the client was back (ready and resynced).</summary>
public sealed record ReconnectRecord(DateTimeOffset AskedAt, DateTimeOffset? BackAt);

/// <summary>An item the server acknowledged.</summary>
public sealed record PostedItem(Guid ConversationId, Guid ItemId, long Seq, string IdempotencyKey);

/// <summary>
/// One signed-in device behaving as docs/realtime.md asks: connect, wait for "ready", sync from the
/// stored token, apply events idempotently; on "reconnect" connect again (through the load balancer),
/// resync, then close the old connection; on an unexpected close, reconnect with backoff. It posts texts to its
/// conversation, retrying with the same idempotency key.
/// </summary>
public sealed class LoadUser(string name, Guid userId, string accessToken, InstancePicker picker, LoadOptions options, LoadCounters counters) : IAsyncDisposable
{
    private readonly HttpClient http = CreateHttp(accessToken, options.RequestTimeout);
    private readonly CookieContainer cookies = new();
    private readonly SemaphoreSlim syncLock = new(1, 1);
    private readonly SemaphoreSlim connectLock = new(1, 1);
    private readonly ConcurrentDictionary<Guid, TimelineEntry> seen = new();
    private readonly ConcurrentDictionary<Guid, byte> seenLive = new();
    private readonly ConcurrentQueue<ReconnectRecord> reconnects = new();
    private readonly ConcurrentDictionary<HubConnection, byte> leaving = new();
    private volatile HubConnection? hub;
    private volatile bool stopping;
    private string? syncToken;
    private int posted;

    public string Name { get; } = name;

    public Guid UserId { get; } = userId;

    public string AccessToken => accessToken;

    /// <summary>The device this user signed in as, and its refresh token: what a browser needs to carry on the session.</summary>
    public Guid DeviceId { get; init; }

    public string? RefreshToken { get; init; }

    public Guid ConversationId { get; set; }

    /// <summary>This device's SIP credentials (from sign-up), for joining calls with sipp.</summary>
    public string? SipUsername { get; set; }

    public string? SipSecret { get; set; }

    public IReadOnlyDictionary<Guid, TimelineEntry> Seen => seen;

    public bool SawLive(Guid itemId) => seenLive.ContainsKey(itemId);

    public IReadOnlyCollection<ReconnectRecord> Reconnects => reconnects;

    public ConcurrentQueue<PostedItem> Posted { get; } = new();

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await connectLock.WaitAsync(cancellationToken);
        try
        {
            var address = await picker.PickAsync(options.RequestTimeout, cancellationToken);
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(address, "hubs/talko"), o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                    o.Transports = HttpTransportType.WebSockets;
                    // Negotiation and the WebSocket carry the load balancer's stickiness cookie.
                    o.Cookies = cookies;
                })
                .Build();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.On<JsonElement>("ready", _ => ready.TrySetResult());
            connection.On<JsonElement>("itemCreated", item => Apply(item, live: true));
            connection.On<JsonElement>("reconnect", request => { _ = MoveAsync(connection, address); });
            connection.Closed += exception => OnClosedAsync(connection);
            await connection.StartAsync(cancellationToken).WaitAsync(options.RequestTimeout, cancellationToken);
            await ready.Task.WaitAsync(options.RequestTimeout, cancellationToken);
            hub = connection;
        }
        finally
        {
            connectLock.Release();
        }

        await SyncAsync(cancellationToken);
    }

    /// <summary>Posts one text, retrying the same idempotency key on failures; false if every attempt failed.</summary>
    public async Task<bool> PostAsync(CancellationToken cancellationToken)
    {
        var key = $"{Name}-{Interlocked.Increment(ref posted)}-{Guid.NewGuid():N}";
        for (var attempt = 1; attempt <= options.PostAttempts; attempt++)
        {
            Uri? address = null;
            var sentAt = TimeSpan.Zero;
            try
            {
                address = await picker.PickAsync(options.RequestTimeout, cancellationToken);
                sentAt = counters.SinceStart;
                counters.Request();
                using var response = await http.PostAsJsonAsync(new Uri(address, $"v1/conversations/{ConversationId}/items"), new { idempotencyKey = key, text = $"{Name} says {key}" }, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    var item = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                    Posted.Enqueue(new PostedItem(ConversationId, item.GetProperty("id").GetGuid(), item.GetProperty("seq").GetInt64(), key));
                    return true;
                }

                counters.Failed($"POST items {(int)response.StatusCode}");
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    return false;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // Which instance and when: a timeout on a cold or draining instance reads differently from one on a busy one.
                counters.Failed($"POST items {exception.GetType().Name} from {address?.Authority ?? "no instance"}, sent {sentAt.TotalSeconds:F0} s into the run");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
        }

        return false;
    }

    /// <summary>GET /v1/sync from the stored token until nothing more; retried on failures.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await syncLock.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var address = await picker.PickAsync(options.RequestTimeout, cancellationToken);
                    bool more;
                    do
                    {
                        counters.Request();
                        var uri = new Uri(address, syncToken is null ? "v1/sync" : $"v1/sync?since={Uri.EscapeDataString(syncToken)}");
                        using var response = await http.GetAsync(uri, cancellationToken);
                        if (!response.IsSuccessStatusCode)
                        {
                            throw new HttpRequestException($"GET sync {(int)response.StatusCode}");
                        }

                        var page = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                        foreach (var item in page.GetProperty("items").EnumerateArray())
                        {
                            Apply(item, live: false);
                        }

                        syncToken = page.GetProperty("token").GetString();
                        more = page.GetProperty("hasMore").GetBoolean();
                    }
                    while (more);
                    return;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested && attempt < options.PostAttempts)
                {
                    counters.Failed($"GET sync {exception.Message}");
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
                }
            }
        }
        finally
        {
            syncLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        stopping = true;
        if (hub is { } connection)
        {
            await connection.DisposeAsync();
        }

        http.Dispose();
    }

    private void Apply(JsonElement item, bool live)
    {
        var id = item.GetProperty("id").GetGuid();
        seen.TryAdd(id, new TimelineEntry(
            item.GetProperty("conversationId").GetGuid(),
            item.GetProperty("seq").GetInt64(),
            item.TryGetProperty("authorId", out var author) && author.ValueKind == JsonValueKind.String ? author.GetGuid() : null,
            item.TryGetProperty("idempotencyKey", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null));
        if (live)
        {
            seenLive.TryAdd(id, 0);
        }
    }

    /// <summary>
    /// The server asked: make before break. Connect again through the load balancer (a serving instance),
    /// resync, then close the old connection gracefully, so live events never stop.
    /// </summary>
    private async Task MoveAsync(HubConnection connection, Uri address)
    {
        var askedAt = DateTimeOffset.UtcNow;
        picker.MovedAwayFrom(address);
        if (!ReferenceEquals(hub, connection) || !leaving.TryAdd(connection, 0))
        {
            return;
        }

        try
        {
            await ConnectWithRetryAsync();
            reconnects.Enqueue(new ReconnectRecord(askedAt, DateTimeOffset.UtcNow));
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            reconnects.Enqueue(new ReconnectRecord(askedAt, null));
        }

        await connection.DisposeAsync();
    }

    private async Task OnClosedAsync(HubConnection connection)
    {
        // A connection this client left on purpose, or the run is over.
        if (stopping || leaving.ContainsKey(connection) || !ReferenceEquals(hub, connection))
        {
            return;
        }

        hub = null;
        counters.UnexpectedDisconnect();
        try
        {
            await ConnectWithRetryAsync();
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            // Counted as not back: the run's report shows it.
        }
    }

    private async Task ConnectWithRetryAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            if (stopping)
            {
                return;
            }

            try
            {
                using var timeout = new CancellationTokenSource(options.RequestTimeout * 2);
                await ConnectAsync(timeout.Token);
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TimeoutException or OperationCanceledException or System.Net.WebSockets.WebSocketException or InvalidOperationException && attempt < 10)
            {
                counters.Failed($"hub connect {exception.GetType().Name}");
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    private static HttpClient CreateHttp(string accessToken, TimeSpan timeout)
    {
        var client = new HttpClient { Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }
}

/// <summary>What a client knows of an item.</summary>
public sealed record TimelineEntry(Guid ConversationId, long Seq, Guid? AuthorId, string? IdempotencyKey);
