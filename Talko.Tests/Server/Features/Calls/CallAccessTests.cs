using System.Net;
using System.Net.Http.Json;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// Who may do what to a call (docs/calls.md): a non-member learns nothing (404, as for conversations); a member may
/// view, join and leave; only the starter or someone who manages the conversation may end it for everyone (403 otherwise).
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class CallAccessTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"calls-{Guid.NewGuid():N}");
    private TalkoHost host = null!;

    public Task InitializeAsync()
    {
        host = new TalkoHost(TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = "access-a", Settings = CallsTestKit.InstanceSettings(shared, FreePort.Find()) });
        host.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        TestDirectory.Delete(shared);
    }

    [Fact]
    public async Task Non_members_get_404_everywhere_members_may_leave_but_only_the_starter_or_a_manager_may_end()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var dave = await host.SignUpAsync($"dave-{Guid.NewGuid():N}@example.com");
        using var carol = await host.SignUpAsync($"carol-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, dave.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");

        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));

        // Carol is in no group with them: the call does not exist for her, nor may she start one there.
        await AssertProblemAsync(await carol.Client.PostAsync($"/v1/conversations/{conversation.Id}/calls", null), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await carol.Client.GetAsync($"/v1/calls/{call.Id}"), HttpStatusCode.NotFound, "not_found");
        foreach (var action in new[] { "join", "leave", "end" })
        {
            await AssertProblemAsync(await carol.Client.PostAsync($"/v1/calls/{call.Id}/{action}", null), HttpStatusCode.NotFound, "not_found");
        }

        await AssertProblemAsync(await carol.Client.GetAsync($"/v1/calls/{call.Id}/timeline"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await carol.Client.GetAsync($"/v1/calls/{call.Id}/recording"), HttpStatusCode.NotFound, "not_found");

        // Dave is a member but neither the starter nor a manager: he may leave, not end it for everyone; a second call is a conflict.
        using (var leave = await dave.Client.PostAsync($"/v1/calls/{call.Id}/leave", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(HttpStatusCode.Accepted, leave.StatusCode);
        }

        await AssertProblemAsync(await dave.Client.PostAsync($"/v1/calls/{call.Id}/end", null), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await dave.Client.PostAsync($"/v1/conversations/{conversation.Id}/calls", null), HttpStatusCode.Conflict, "call_live");
        Assert.Equal("live", (await dave.Client.GetCallAsync(call.Id)).State);

        // The starter ends it; joining an ended call is a conflict, leaving it is harmless.
        using (var end = await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            var ended = await ConversationsTestExtensions.ReadAsync<CallView>(end, HttpStatusCode.OK);
            Assert.Equal("ended", ended.State);
            Assert.Equal(CallService.EndedByUser, ended.EndReason);
        }

        await AssertProblemAsync(await dave.Client.PostAsync($"/v1/calls/{call.Id}/join", null), HttpStatusCode.Conflict, "call_ended");

        // Dave starts the next call; Alice, who manages the conversation but did not start it, may end it.
        var second = await dave.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));
        using (var end = await alice.Client.PostAsync($"/v1/calls/{second.Id}/end", null).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal("ended", (await ConversationsTestExtensions.ReadAsync<CallView>(end, HttpStatusCode.OK)).State);
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(reason, ReasonOf(problem));
        }
    }

    private static string? ReasonOf(System.Text.Json.JsonElement problem) =>
        problem.TryGetProperty("reason", out var reason) ? reason.GetString() : null;
}
