using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Accounts;
using Talko.Core.Awareness;
using Talko.Server.Features.Accounts.Codes;
using Talko.Server.Features.Awareness;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Awareness;

/// <summary>Conversation membership set by the test, shared by every in-process host of a test.</summary>
internal sealed class TestAudience : IAwarenessAudience, ICallAttendance
{
    private readonly ConcurrentDictionary<string, HashSet<string>> conversations = new();
    private readonly ConcurrentDictionary<(Guid Conversation, Guid Call), HashSet<Guid>> calls = new();

    /// <summary>A live call of <paramref name="conversationId"/> with these users in it.</summary>
    public void AddCall(string conversationId, Guid callId, params string[] inCall) =>
        calls[(Guid.Parse(conversationId), callId)] = inCall.Select(Guid.Parse).ToHashSet();

    public Task<CallAttendance> CheckAsync(Guid conversationId, Guid callId, Guid userId, CancellationToken cancellationToken) =>
        Task.FromResult(!calls.TryGetValue((conversationId, callId), out var users) ? CallAttendance.NoSuchCall
            : users.Contains(userId) ? CallAttendance.InCall : CallAttendance.NotInCall);

    public void Add(string conversationId, params string[] members) => conversations[conversationId] = members.ToHashSet(StringComparer.Ordinal);

    public Task<IReadOnlyCollection<string>> WatchersOfAsync(string userId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyCollection<string>>(
            conversations.Values.Where(m => m.Contains(userId)).SelectMany(m => m).Append(userId).ToHashSet(StringComparer.Ordinal));

    public Task<IReadOnlyCollection<string>?> MembersOfAsync(string conversationId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyCollection<string>?>(conversations.TryGetValue(conversationId, out var members) ? members : null);
}

/// <summary>Keeps the last code sent per identifier, so tests can sign in.</summary>
internal sealed class CodeCapture : IVerificationCodeSender
{
    private readonly ConcurrentDictionary<string, string> codes = new();

    public Task SendAsync(NormalizedIdentifier identifier, string code, CancellationToken cancellationToken)
    {
        codes[identifier.Value] = code;
        return Task.CompletedTask;
    }

    public string For(string identifier) => codes[identifier];
}

/// <summary>A signed-in test user.</summary>
internal sealed record TestUser(string UserId, string AccessToken);

/// <summary>Everything the awareness realtime tests share: settings, sign-in, hub clients that record events.</summary>
internal static class AwarenessTestKit
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Short timings so expiry is seen within seconds, one shared signing key so tokens work on every instance.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Talko:Auth:SigningKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
        ["Talko:Accounts:IdentifierHashKey"] = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray()),
        ["Talko:Awareness:TypingTimeout"] = "00:00:01",
        ["Talko:Awareness:RenewInterval"] = "00:00:00.500",
        ["Talko:Awareness:ConnectionLease"] = "00:00:03",
        ["Talko:Awareness:ReapInterval"] = "00:00:00.200",
        ["Talko:Awareness:DeviceTimeout"] = "00:01:00",
        ["Talko:Instance:HeartbeatInterval"] = "00:00:01",
        ["Talko:Instance:EntryTimeToLive"] = "00:00:03",
    };

    public static Action<IServiceCollection> Services(TestAudience audience, CodeCapture codes) => services =>
    {
        services.AddSingleton<IAwarenessAudience>(audience);
        services.AddSingleton<ICallAttendance>(audience);
        services.AddSingleton<IVerificationCodeSender>(codes);
    };

    public static async Task<TestUser> SignUpAsync(HttpClient client, CodeCapture codes, string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        (await client.PostAsJsonAsync("/v1/auth/start", new { identifier = email }).WaitAsync(TestTimeouts.Default)).EnsureSuccessStatusCode();
        var verify = await client.PostAsJsonAsync("/v1/auth/verify", new
        {
            identifier = email,
            code = codes.For(email),
            device = new { platform = "Web", name = $"{name}'s browser" },
        }).WaitAsync(TestTimeouts.Default);
        verify.EnsureSuccessStatusCode();
        var body = await verify.Content.ReadFromJsonAsync<JsonElement>(Json);
        return new TestUser(body.GetProperty("userId").GetString()!, body.GetProperty("tokens").GetProperty("accessToken").GetString()!);
    }

    /// <summary>A hub client on an in-process host (long polling through the test server).</summary>
    public static Task<RecordingClient> ConnectAsync(TalkoHost host, TestUser user) =>
        RecordingClient.StartAsync(new HubConnectionBuilder()
            .WithUrl(new Uri(host.Server.BaseAddress, "hubs/talko"), options =>
            {
                options.HttpMessageHandlerFactory = _ => host.Server.CreateHandler();
                options.AccessTokenProvider = () => Task.FromResult<string?>(user.AccessToken);
                options.Transports = HttpTransportType.LongPolling;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build());

    /// <summary>A hub client on a real process, over a WebSocket with stateful reconnect and the token in the query string.</summary>
    public static Task<RecordingClient> ConnectAsync(TalkoProcess process, TestUser user) =>
        RecordingClient.StartAsync(new HubConnectionBuilder()
            .WithUrl(new Uri(process.BaseAddress, "hubs/talko"), options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(user.AccessToken);
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            })
            .WithStatefulReconnect()
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build());
}

/// <summary>A hub connection that records every awareness event it receives, in order.</summary>
internal sealed class RecordingClient : IAsyncDisposable
{
    private readonly Channel<AwarenessView> events = Channel.CreateUnbounded<AwarenessView>();
    private readonly ConcurrentQueue<AwarenessView> all = new();

    private RecordingClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<AwarenessView>(AwarenessView.EventName, view =>
        {
            all.Enqueue(view);
            events.Writer.TryWrite(view);
        });
    }

    public HubConnection Connection { get; }

    public IReadOnlyList<AwarenessView> All => all.ToArray();

    public static async Task<RecordingClient> StartAsync(HubConnection connection)
    {
        var client = new RecordingClient(connection);
        await connection.StartAsync().WaitAsync(TestTimeouts.Default);
        return client;
    }

    /// <summary>The next event about <paramref name="userId"/>; events about others are skipped.</summary>
    public async Task<AwarenessView> NextAboutAsync(string userId, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (true)
        {
            var view = await events.Reader.ReadAsync(cancel.Token);
            if (view.UserId == userId)
            {
                return view;
            }
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
