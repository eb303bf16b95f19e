using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Conversations;
using Talko.Server.Features.Realtime;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Authorization;

/// <summary>
/// The authorization matrix (issue 13): every endpoint of the OpenAPI document and every hub method, called by every
/// kind of actor, answers as <see cref="EndpointMatrix"/> and <see cref="HubMatrix"/> say. Run on both run modes.
/// </summary>
public abstract class AuthorizationMatrixSpecification(AuthorizationWorldFixture fixture, ITestOutputHelper output)
{
    private AuthorizationWorld World => fixture.World;

    [Fact]
    public async Task Every_endpoint_of_the_OpenAPI_document_has_a_row_and_every_row_names_one()
    {
        var published = await OpenApiEndpoints.FetchAsync(World.Host);
        var rows = EndpointMatrix.Rows.Select(r => $"{r.Method} {r.Template}").ToHashSet(StringComparer.Ordinal);

        Assert.True(published.Count > 50, $"only {published.Count} endpoints in the OpenAPI document");
        Assert.Empty(published.Except(rows).Order(StringComparer.Ordinal).Select(e => $"no row for {e}"));
        Assert.Empty(rows.Except(published).Order(StringComparer.Ordinal).Select(e => $"a row for {e}, which the OpenAPI document does not have"));
        Assert.Empty(EndpointMatrix.Rows.GroupBy(r => r.Key).Where(g => g.Count() > 1).Select(g => $"two rows are {g.Key}"));
    }

    [Fact]
    public void Every_hub_method_has_a_row_and_every_pending_fix_names_a_row()
    {
        var methods = typeof(TalkoHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && !(m.Name.StartsWith("On", StringComparison.Ordinal) && m.Name.EndsWith("Async", StringComparison.Ordinal)))
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        var rows = HubMatrix.Rows.Select(r => r.Method).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("SetActivity", methods);
        Assert.Empty(methods.Except(rows).Select(m => $"no row for hub method {m}"));
        Assert.Empty(rows.Except(methods).Select(m => $"a row for hub method {m}, which TalkoHub does not have"));
        var keys = EndpointMatrix.Rows.Select(r => r.Key).Concat(HubMatrix.Rows.Select(r => r.Key)).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(PendingFixes.Cells.Keys.Where(k => !keys.Contains(k)).Select(k => $"PendingFixes names {k}, which is no row"));
    }

    [Fact]
    public async Task Every_endpoint_answers_every_actor_as_the_matrix_says()
    {
        var runner = new MatrixRunner(World);
        await runner.RunEndpointsAsync();
        Report(runner);
    }

    [Fact]
    public async Task Every_hub_method_answers_every_actor_as_the_matrix_says()
    {
        var runner = new MatrixRunner(World);
        await runner.RunHubAsync();
        Report(runner);
    }

    [Fact]
    public async Task Connecting_to_the_hub_needs_a_token_of_a_signed_in_device()
    {
        using var anonymous = World.Host.CreateClient();
        using (var negotiate = await anonymous.PostAsync($"{TalkoHub.Path}/negotiate?negotiateVersion=1", null).WaitAsync(TestTimeouts.Default))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        }

        // A device that signed out: its token is refused at once, in the query string (as browsers send it) too.
        var device = await World.NewMemberDeviceAsync();
        using (var logout = await device.Client.PostAsync("/v1/auth/logout", null).WaitAsync(TestTimeouts.Default))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using (var negotiate = await anonymous.PostAsync($"{TalkoHub.Path}/negotiate?negotiateVersion=1&access_token={device.Tokens.AccessToken}", null).WaitAsync(TestTimeouts.Default))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        }

        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(World.Host.Server.BaseAddress, TalkoHub.Path), options =>
            {
                options.HttpMessageHandlerFactory = _ => World.Host.Server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
            })
            .Build();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync().WaitAsync(TestTimeouts.Default));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Live_events_of_the_conversation_reach_members_only_and_stop_when_one_is_removed()
    {
        var leaver = await World.NewGroupMemberAsync();
        var received = new Dictionary<string, ConcurrentQueue<string>>();
        var connections = new List<HubConnection>();
        try
        {
            foreach (var (name, user) in new[] { ("stranger", World.UserOf(Actor.Stranger)), ("removed", World.UserOf(Actor.Removed)), ("dropped", World.UserOf(Actor.Dropped)), ("member", World.Member), ("leaver", leaver) })
            {
                var texts = received[name] = new ConcurrentQueue<string>();
                var hub = World.Host.CreateHubConnection(user);
                connections.Add(hub);
                hub.On<TimelineItem>("itemCreated", item =>
                {
                    if (item.ConversationId == World.ConversationId && item.Text is { } text)
                    {
                        texts.Enqueue(text);
                    }
                });
                await hub.StartAndWaitUntilReadyAsync();
            }

            await World.Owner.Client.PostTextOkAsync(World.ConversationId, "before the removal");
            await TestTimeouts.EventuallyAsync(() => Task.FromResult(received["leaver"].Contains("before the removal")), TestTimeouts.Default, "the leaver, still a member, gets the text");
            using (var removal = await World.Owner.Client.DeleteAsync($"/v1/groups/{World.GroupId}/members/{leaver.UserId}").WaitAsync(TestTimeouts.Default))
            {
                Assert.Equal(HttpStatusCode.NoContent, removal.StatusCode);
            }

            // The removal reaches the connection through the instances' membership channel: allow it a moment, then nothing more.
            var stopped = false;
            for (var attempt = 0; attempt < 20 && !stopped; attempt++)
            {
                var text = $"after the removal {attempt}";
                await World.Owner.Client.PostTextOkAsync(World.ConversationId, text);
                await TestTimeouts.EventuallyAsync(() => Task.FromResult(received["member"].Contains(text)), TestTimeouts.Default, "the member gets the text");
                await Task.Delay(300);
                stopped = !received["leaver"].Contains(text);
            }

            Assert.True(stopped, "the removed member's open connection kept receiving the conversation's texts");
            Assert.Empty(received["stranger"]);
            Assert.Empty(received["removed"]);
            Assert.Empty(received["dropped"]);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private void Report(MatrixRunner runner)
    {
        foreach (var pending in runner.StillPending)
        {
            output.WriteLine($"pending fix: {pending}");
        }

        Assert.True(runner.Failures.Count == 0, $"{runner.Failures.Count} cells of the matrix fail:\n" + string.Join("\n", runner.Failures));
    }
}
