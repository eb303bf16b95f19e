using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Conversations;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Groups;
using Talko.Server.Features.Sync;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Conversations;

/// <summary>Calls to the conversations API that fail the test on an unexpected answer.</summary>
internal static class ConversationsTestExtensions
{
    public static async Task<GroupView> CreateGroupAsync(this HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/v1/groups", new CreateGroupRequest(name)).WaitAsync(TestTimeouts.Default);
        return await ReadAsync<GroupView>(response, HttpStatusCode.Created);
    }

    public static async Task AddMemberAsync(this HttpClient client, Guid groupId, Guid userId, GroupRole role = GroupRole.Member)
    {
        var response = await client.PostAsJsonAsync($"/v1/groups/{groupId}/members", new AddMemberRequest(userId, role)).WaitAsync(TestTimeouts.Default);
        await ReadAsync<GroupView>(response, HttpStatusCode.OK);
    }

    public static async Task<ConversationView> CreateConversationAsync(this HttpClient client, Guid groupId, string title, IReadOnlyList<string>? tags = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/groups/{groupId}/conversations", new CreateConversationRequest(title, null, tags)).WaitAsync(TestTimeouts.Default);
        return await ReadAsync<ConversationView>(response, HttpStatusCode.Created);
    }

    public static Task<HttpResponseMessage> PostTextAsync(this HttpClient client, Guid conversationId, string key, string text) =>
        client.PostAsJsonAsync($"/v1/conversations/{conversationId}/items", new PostTextRequest(key, text)).WaitAsync(TestTimeouts.Default);

    public static async Task<TimelineItem> PostTextOkAsync(this HttpClient client, Guid conversationId, string text, string? key = null)
    {
        var response = await client.PostTextAsync(conversationId, key ?? Guid.NewGuid().ToString("N"), text);
        return await ReadAsync<TimelineItem>(response, HttpStatusCode.Created);
    }

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, string path, byte[] content, string contentType, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return client.SendAsync(request).WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Starts the connection and waits for "ready" (the connection is in all its groups).</summary>
    public static async Task StartAndWaitUntilReadyAsync(this HubConnection hub)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = hub.On<Talko.Server.Features.Realtime.RealtimeReady>("ready", _ => ready.TrySetResult());
        await hub.StartAsync().WaitAsync(TestTimeouts.Default);
        await ready.Task.WaitAsync(TestTimeouts.Default);
    }

    public static async Task<ItemsPage> ItemsAsync(this HttpClient client, Guid conversationId, string query)
    {
        var response = await client.GetAsync($"/v1/conversations/{conversationId}/items?{query}").WaitAsync(TestTimeouts.Default);
        return await ReadAsync<ItemsPage>(response, HttpStatusCode.OK);
    }

    public static async Task<SyncPage> SyncAsync(this HttpClient client, string? token, int? limit = null)
    {
        var query = new List<string>();
        if (token is not null)
        {
            query.Add($"since={token}");
        }

        if (limit is not null)
        {
            query.Add($"limit={limit}");
        }

        var response = await client.GetAsync($"/v1/sync?{string.Join('&', query)}").WaitAsync(TestTimeouts.Default);
        return await ReadAsync<SyncPage>(response, HttpStatusCode.OK);
    }

    /// <summary>Syncs page after page until HasMore is false; returns every page and the final token.</summary>
    public static async Task<(List<SyncPage> Pages, string Token)> SyncAllAsync(this HttpClient client, string? token, int? limit = null)
    {
        var pages = new List<SyncPage>();
        do
        {
            var page = await client.SyncAsync(token, limit);
            pages.Add(page);
            token = page.Token;
            Assert.True(pages.Count < 1000, "sync did not finish");
        }
        while (pages[^1].HasMore);

        return (pages, token!);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, TalkoJson.Options)!;
    }

    /// <summary>A realtime client on <paramref name="host"/>'s test server. WebSockets carry the token in the query string, as browsers must.</summary>
    public static HubConnection CreateHubConnection(this TalkoHost host, TestUser user, bool webSockets = true) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(host.Server.BaseAddress, "/hubs/talko"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(user.Tokens.AccessToken);
                options.HttpMessageHandlerFactory = _ => host.Server.CreateHandler();
                if (webSockets)
                {
                    options.Transports = HttpTransportType.WebSockets;
                    options.SkipNegotiation = true;
                    // As a browser must: the token in the query string (the .NET client would send a header).
                    options.WebSocketFactory = async (context, cancellationToken) =>
                        await host.Server.CreateWebSocketClient().ConnectAsync(
                            new Uri($"{context.Uri}{(context.Uri.Query.Length > 0 ? "&" : "?")}access_token={Uri.EscapeDataString(user.Tokens.AccessToken)}"), cancellationToken);
                }
                else
                {
                    options.Transports = HttpTransportType.LongPolling;
                }
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions = TalkoJson.Options)
            .Build();
}
