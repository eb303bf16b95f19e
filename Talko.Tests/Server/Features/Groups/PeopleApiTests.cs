using System.Net;
using System.Net.Http.Json;
using Talko.Server.Features.Groups;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Features.Groups;

/// <summary>GET /v1/people: names only for people who share a group with the caller; nothing about anyone else.</summary>
public sealed class PeopleApiTests : IAsyncLifetime
{
    private readonly TalkoHost host = new(TalkoHostOptions.Embedded());
    private TestUser alice = null!;
    private TestUser bob = null!;
    private TestUser stranger = null!;
    private Guid groupId;

    public async Task InitializeAsync()
    {
        alice = await host.SignUpAsync("alice@example.com", "Alice");
        bob = await host.SignUpAsync("bob@example.com", "Bob");
        stranger = await host.SignUpAsync("eve@example.com", "Eve");
        groupId = (await alice.Client.CreateGroupAsync("Crew")).Id;
        await alice.Client.AddMemberAsync(groupId, bob.UserId);
    }

    public async Task DisposeAsync()
    {
        alice.Dispose();
        bob.Dispose();
        stranger.Dispose();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_member_sees_the_names_of_people_in_their_groups_and_their_own()
    {
        var people = await LookupAsync(bob.Client, alice.UserId, bob.UserId, stranger.UserId, Guid.NewGuid());
        Assert.Equal(
            new[] { ("Alice", alice.UserId), ("Bob", bob.UserId) }.OrderBy(p => p.Item2),
            people.Select(p => (p.DisplayName!, p.UserId)).OrderBy(p => p.Item2));
    }

    [Fact]
    public async Task A_stranger_learns_nothing_not_even_whether_an_account_exists()
    {
        var people = await LookupAsync(stranger.Client, alice.UserId, bob.UserId);
        Assert.Empty(people);
    }

    [Fact]
    public async Task After_leaving_the_group_the_names_are_gone()
    {
        var leave = await bob.Client.DeleteAsync($"/v1/groups/{groupId}/members/{bob.UserId}").WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NoContent, leave.StatusCode);
        Assert.Equal([bob.UserId], (await LookupAsync(bob.Client, alice.UserId, bob.UserId)).Select(p => p.UserId));
    }

    [Fact]
    public async Task No_ids_too_many_ids_or_no_token_are_refused()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Client.GetAsync("/v1/people").WaitAsync(TestTimeouts.Default)).StatusCode);
        var tooMany = string.Join('&', Enumerable.Range(0, PeopleApi.MaxIdsPerRequest + 1).Select(_ => $"id={Guid.NewGuid()}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Client.GetAsync($"/v1/people?{tooMany}").WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Client.GetAsync("/v1/people?id=not-a-guid").WaitAsync(TestTimeouts.Default)).StatusCode);
        using var anonymous = host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/people?id={alice.UserId}").WaitAsync(TestTimeouts.Default)).StatusCode);
    }

    private static async Task<List<PersonView>> LookupAsync(HttpClient client, params Guid[] ids) =>
        (await client.GetFromJsonAsync<List<PersonView>>($"/v1/people?{string.Join('&', ids.Select(id => $"id={id}"))}").WaitAsync(TestTimeouts.Default))!;
}
