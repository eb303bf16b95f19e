using System.Net.Http.Json;
using System.Text.Json;

namespace Talko.LoadClient;

/// <summary>
/// A whole run: signs users up (codes through <see cref="SmtpCodeSink"/>), puts them in conversations,
/// connects them, has them post until <see cref="StopAsync"/>, then settles, resyncs everyone and
/// reports what was lost, duplicated, and how reconnects went.
/// </summary>
public sealed class LoadRun : IAsyncDisposable
{
    private readonly LoadOptions options;
    private readonly InstancePicker picker;
    private readonly LoadCounters counters = new();
    private readonly List<LoadUser> users = [];
    private readonly CancellationTokenSource posting = new();
    private readonly List<Task> posters = [];
    private int abandoned;
    private DateTimeOffset startedAt;

    private LoadRun(LoadOptions options)
    {
        this.options = options;
        picker = new InstancePicker(options.Addresses, TimeSpan.FromMilliseconds(250));
    }

    public IReadOnlyList<LoadUser> Users => users;

    public LoadCounters Counters => counters;

    /// <summary>Lets clients use another instance once it is ready (without a load balancer).</summary>
    public void AddInstance(Uri address) => picker.Add(address);

    /// <summary>Signs up, connects, and starts posting.</summary>
    public static async Task<LoadRun> StartAsync(LoadOptions options, SmtpCodeSink codes, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var run = new LoadRun(options);
        try
        {
            await run.SetUpAsync(codes, log ?? (_ => { }), cancellationToken);
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }

        return run;
    }

    /// <summary>Starts <paramref name="calls"/> calls (one per conversation) and joins <paramref name="legsPerCall"/> members to each: what sipp needs to dial in.</summary>
    public Task<IReadOnlyList<CallLeg>> PlaceCallsAsync(int calls, int legsPerCall, CancellationToken cancellationToken = default) =>
        new CallPlacer(picker, options).PlaceAsync(users, calls, legsPerCall, cancellationToken);

    /// <summary>Stops posting, lets events settle, resyncs every user and reports.</summary>
    public async Task<LoadReport> StopAsync()
    {
        await posting.CancelAsync();
        await Task.WhenAll(posters);
        await Task.Delay(options.SettleTime);
        using var timeout = new CancellationTokenSource(options.RequestTimeout * 4);
        await Task.WhenAll(users.Select(u => u.SyncAsync(timeout.Token)));
        return Report();
    }

    public async ValueTask DisposeAsync()
    {
        await posting.CancelAsync();
        try
        {
            await Task.WhenAll(posters);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        foreach (var user in users)
        {
            await user.DisposeAsync();
        }

        await picker.DisposeAsync();
        posting.Dispose();
    }

    private async Task SetUpAsync(SmtpCodeSink codes, Action<string> log, CancellationToken cancellationToken)
    {
        using var anonymous = new HttpClient { Timeout = options.RequestTimeout };
        var runId = Guid.NewGuid().ToString("N")[..8];
        using var gate = new SemaphoreSlim(options.SetupParallelism);
        var signedUp = await Task.WhenAll(Enumerable.Range(0, options.Users).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await SignUpAsync(anonymous, codes, $"load{i}-{runId}", cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
        users.AddRange(signedUp);
        log($"{users.Count} users signed up");

        foreach (var members in users.Chunk(Math.Max(1, options.UsersPerConversation)))
        {
            await CreateConversationAsync(members, cancellationToken);
        }

        await Task.WhenAll(users.Select(u => u.ConnectAsync(cancellationToken)));
        log($"{users.Count} realtime clients ready in {(users.Count + options.UsersPerConversation - 1) / Math.Max(1, options.UsersPerConversation)} conversations");
        startedAt = DateTimeOffset.UtcNow;
        foreach (var user in users)
        {
            posters.Add(Task.Run(() => PostLoopAsync(user, posting.Token)));
        }
    }

    private async Task<LoadUser> SignUpAsync(HttpClient http, SmtpCodeSink codes, string name, CancellationToken cancellationToken)
    {
        var email = $"{name}@load.example.com";
        var address = await picker.PickAsync(options.RequestTimeout, cancellationToken);
        var codeTask = codes.CodeForAsync(email, options.RequestTimeout * 2);
        (await http.PostAsJsonAsync(new Uri(address, "v1/auth/start"), new { identifier = email }, cancellationToken)).EnsureSuccessStatusCode();
        var code = await codeTask;
        var verify = await http.PostAsJsonAsync(new Uri(address, "v1/auth/verify"), new { identifier = email, code, device = new { platform = "Web", name = $"{name} load client" } }, cancellationToken);
        if (!verify.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"auth/verify for {email}: {(int)verify.StatusCode} {await verify.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var body = await verify.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var sip = body.GetProperty("sip");
        var tokens = body.GetProperty("tokens");
        return new LoadUser(name, body.GetProperty("userId").GetGuid(), tokens.GetProperty("accessToken").GetString()!, picker, options, counters)
        {
            DeviceId = body.GetProperty("deviceId").GetGuid(),
            RefreshToken = tokens.GetProperty("refreshToken").GetString(),
            SipUsername = sip.GetProperty("username").GetString(),
            SipSecret = sip.TryGetProperty("secret", out var secret) ? secret.GetString() : null,
        };
    }

    private async Task CreateConversationAsync(LoadUser[] members, CancellationToken cancellationToken)
    {
        var owner = members[0];
        using var http = new HttpClient { Timeout = options.RequestTimeout };
        http.DefaultRequestHeaders.Authorization = new("Bearer", owner.AccessToken);
        var address = await picker.PickAsync(options.RequestTimeout, cancellationToken);
        var group = await ReadAsync(await http.PostAsJsonAsync(new Uri(address, "v1/groups"), new { name = $"load {owner.Name}" }, cancellationToken), cancellationToken);
        var groupId = group.GetProperty("id").GetGuid();
        foreach (var member in members.Skip(1))
        {
            await ReadAsync(await http.PostAsJsonAsync(new Uri(address, $"v1/groups/{groupId}/members"), new { userId = member.UserId }, cancellationToken), cancellationToken);
        }

        var conversation = await ReadAsync(await http.PostAsJsonAsync(new Uri(address, $"v1/groups/{groupId}/conversations"),
            new { title = $"load {owner.Name}", memberIds = members.Skip(1).Select(m => m.UserId).ToArray() }, cancellationToken), cancellationToken);
        foreach (var member in members)
        {
            member.ConversationId = conversation.GetProperty("id").GetGuid();
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var _ = response;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    private async Task PostLoopAsync(LoadUser user, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(options.PostInterval * (0.5 + Random.Shared.NextDouble()), cancellationToken);
                if (!await user.PostAsync(cancellationToken))
                {
                    Interlocked.Increment(ref abandoned);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Posting stopped; a post cut off here was never acknowledged, so nothing is expected of it.
        }
    }

    private LoadReport Report()
    {
        var posted = users.SelectMany(u => u.Posted).ToList();
        var lost = 0;
        var missedLive = 0;
        foreach (var member in users)
        {
            foreach (var item in posted.Where(p => p.ConversationId == member.ConversationId))
            {
                if (!member.Seen.ContainsKey(item.ItemId))
                {
                    lost++;
                }
                else if (!member.SawLive(item.ItemId))
                {
                    missedLive++;
                }
            }
        }

        // Every member's view after the final sync: one item per (author, key), and one id per acknowledged key.
        var stored = users.SelectMany(u => u.Seen).DistinctBy(e => e.Key).Select(e => e.Value).Where(e => e.IdempotencyKey is not null);
        var duplicates = stored.GroupBy(e => (e.AuthorId, e.IdempotencyKey)).Sum(g => g.Count() - 1)
            + posted.GroupBy(p => p.IdempotencyKey).Sum(g => g.Select(p => p.ItemId).Distinct().Count() - 1);

        var reconnects = users.SelectMany(u => u.Reconnects).ToList();
        var gaps = reconnects.Where(r => r.BackAt is not null).Select(r => r.BackAt!.Value - r.AskedAt).Order().ToList();
        return new LoadReport
        {
            Users = users.Count,
            Conversations = users.Select(u => u.ConversationId).Distinct().Count(),
            Duration = DateTimeOffset.UtcNow - startedAt,
            HttpRequests = counters.Requests,
            HttpRequestsFailed = counters.FailedRequests,
            HttpFailures = new SortedDictionary<string, int>(counters.Failures, StringComparer.Ordinal),
            ItemsPosted = posted.Count,
            PostsAbandoned = Volatile.Read(ref abandoned),
            ItemsLost = lost,
            ItemsMissedLive = missedLive,
            Duplicates = duplicates,
            ReconnectsAsked = reconnects.Count,
            ClientsBack = gaps.Count,
            UnexpectedDisconnects = counters.UnexpectedDisconnects,
            FirstReconnectAskedAt = reconnects.Count > 0 ? reconnects.Min(r => r.AskedAt) : null,
            LastReconnectAskedAt = reconnects.Count > 0 ? reconnects.Max(r => r.AskedAt) : null,
            LastClientBackAt = gaps.Count > 0 ? reconnects.Max(r => r.BackAt) : null,
            MedianReconnectGap = gaps.Count > 0 ? gaps[gaps.Count / 2] : TimeSpan.Zero,
            WorstReconnectGap = gaps.Count > 0 ? gaps[^1] : TimeSpan.Zero,
            PeakReconnectsPerSecond = reconnects.Count > 0 ? reconnects.GroupBy(r => r.AskedAt.ToUnixTimeSeconds()).Max(g => g.Count()) : 0,
        };
    }
}
