using System.Net.Http.Json;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// Ending a call is one durable step (CallEnder): the ended row and its <c>call-ended</c> item commit together, so a
/// reader never sees an ended call without its item (CI once did, between two commits), and ends racing each other
/// write one item.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class CallEndTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly CallInstances instances = new(postgres, redis, "end");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task Ends_racing_each_other_write_one_call_ended_item_and_no_reader_sees_the_call_ended_without_it()
    {
        var (host, _) = instances.StartHost("end-a");
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        var call = await alice.Client.StartCallAsync(conversation.Id).WaitAsync(TimeSpan.FromSeconds(10));

        // A reader polls the call and, whenever it reads it ended, the timeline: the item must be there already.
        using var stop = new CancellationTokenSource();
        var endedReads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if ((await alice.Client.GetCallAsync(call.Id)).State == "ended")
                {
                    Interlocked.Increment(ref endedReads);
                    var items = await alice.Client.ItemsAsync(conversation.Id, "");
                    Assert.Contains(items.Items, i => i.SystemEvent == "call-ended" && i.CallId == call.Id);
                }
            }
        });

        var ends = Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<CallView>();
        }).ToList();
        var views = await Task.WhenAll(ends).WaitAsync(TimeSpan.FromSeconds(30));
        await TestTimeouts.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref endedReads)), n => n >= 3, TimeSpan.FromSeconds(10), "the reader to read the ended call");
        await stop.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(views, v => Assert.Equal("ended", v!.State));
        Assert.Single(views.Select(v => v!.EndedAt).Distinct());
        var timeline = await alice.Client.ItemsAsync(conversation.Id, "");
        var ended = Assert.Single(timeline.Items, i => i.SystemEvent == "call-ended" && i.CallId == call.Id);
        Assert.Equal(alice.UserId, ended.SubjectUserId);
        Assert.Equal(timeline.Items.Count, timeline.Items.Select(i => i.Seq).Distinct().Count());
    }
}
