using System.Net.Http.Headers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Server.Features.Awareness;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Authorization;

/// <summary>
/// Runs the matrices cell by cell (row x actor) and sorts the outcomes: failures (holes, or pending fixes that now
/// pass) and pending cells that still fail as expected. Rows run in table order, actors in declaration order.
/// </summary>
public sealed class MatrixRunner(AuthorizationWorld world)
{
    public List<string> Failures { get; } = [];

    /// <summary>Cells listed in <see cref="PendingFixes"/> that fail today, with what they answered.</summary>
    public List<string> StillPending { get; } = [];

    public async Task RunEndpointsAsync()
    {
        var clients = new Dictionary<TalkoHost, HttpClient>();
        try
        {
            foreach (var row in EndpointMatrix.Rows)
            {
                foreach (var actor in Enum.GetValues<Actor>())
                {
                    var call = new RowCall(world, actor);
                    Record(row.Key, actor, await CheckEndpointAsync(row, call, clients));
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    public async Task RunHubAsync()
    {
        var connections = new Dictionary<Actor, HubConnection>();
        try
        {
            foreach (var actor in HubMatrix.Connected)
            {
                var connection = world.Host.CreateHubConnection(world.UserOf(actor));
                connections[actor] = connection;
                await connection.StartAndWaitUntilReadyAsync();
            }

            foreach (var row in HubMatrix.Rows)
            {
                foreach (var actor in HubMatrix.Connected)
                {
                    Record(row.Key, actor, await CheckHubAsync(row, actor, connections[actor], connections[Actor.Owner]));
                }
            }
        }
        finally
        {
            foreach (var connection in connections.Values)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private void Record(string key, Actor actor, string? failure)
    {
        var pending = PendingFixes.Covers(key, actor);
        if (pending && failure is not null)
        {
            StillPending.Add($"{key} as {actor}: {failure}");
        }
        else if (pending)
        {
            Failures.Add($"{key} as {actor}: passes now; remove it from PendingFixes");
        }
        else if (failure is not null)
        {
            Failures.Add($"{key} as {actor}: {failure}");
        }
    }

    private async Task<string?> CheckEndpointAsync(EndpointRow row, RowCall call, Dictionary<TalkoHost, HttpClient> clients)
    {
        using var request = await row.Build(call).WaitAsync(TestTimeouts.Long);
        if (call.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", call.Token);
        }

        if (call.Actor == Actor.Operator)
        {
            request.Headers.Add("X-Talko-Admin-Key", world.AdminKey);
        }

        if (!clients.TryGetValue(call.Host, out var client))
        {
            client = clients[call.Host] = call.Host.CreateClient();
        }

        using var response = await client.SendAsync(request).WaitAsync(TestTimeouts.Default);
        var status = (int)response.StatusCode;
        var problems = new List<string>();
        if (!row.Expect.Allows(call.Actor, status))
        {
            var body = response.Content.Headers.ContentType?.MediaType is { } type && (type.Contains("json") || type.StartsWith("text/", StringComparison.Ordinal))
                ? await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)
                : "";
            problems.Add($"expected {string.Join(" or ", row.Expect.For(call.Actor))}, got {status} {body[..Math.Min(body.Length, 200)]}".TrimEnd());
        }

        if (row.Verify is not null && await row.Verify(call, response).WaitAsync(TestTimeouts.Long) is { } effect)
        {
            problems.Add(effect);
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private async Task<string?> CheckHubAsync(HubRow row, Actor actor, HubConnection connection, HubConnection owner)
    {
        var allowed = row.Allowed.Contains(actor);
        string? outcome = null;
        try
        {
            await connection.InvokeCoreAsync(row.Method, typeof(object), row.Arguments(world)).WaitAsync(TestTimeouts.Default);
            if (!allowed)
            {
                outcome = "succeeded, expected a HubException";
            }
        }
        catch (HubException exception)
        {
            if (allowed)
            {
                outcome = $"threw \"{exception.Message}\", expected success";
            }
        }

        if (row.Shows is null)
        {
            return outcome;
        }

        // What everyone in the conversation sees: an accepted call shows (soon), a refused one must not.
        var userId = world.UserOf(actor).UserId.ToString();
        async Task<bool> VisibleAsync()
        {
            var snapshot = await owner.InvokeAsync<List<AwarenessView>>("GetAwareness", world.ConversationId.ToString()).WaitAsync(TestTimeouts.Default);
            return snapshot.Any(v => v.UserId == userId && row.Shows(world, v.Activity));
        }

        var visible = await VisibleAsync();
        for (var waited = 0; allowed && !visible && waited < 50; waited++)
        {
            await Task.Delay(100);
            visible = await VisibleAsync();
        }

        var effect = (allowed, visible) switch
        {
            (true, false) => "the members never saw its effect",
            (false, true) => "its effect is visible to the conversation's members",
            _ => null,
        };
        return outcome is null ? effect : effect is null ? outcome : $"{outcome}; {effect}";
    }
}
