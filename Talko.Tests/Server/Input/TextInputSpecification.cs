using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Talko.Core.Conversations;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Groups;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Input;

/// <summary>
/// Every field people type goes through one rule (no control characters but a message's newlines and tabs,
/// no bidirectional overrides in names, NFC, length in grapheme clusters), and every enum in a request
/// accepts only its defined values; a refusal is a 400 naming the field.
/// </summary>
public abstract class TextInputSpecification : IAsyncLifetime
{
    public static TheoryData<string, string> BadNames => new()
    {
        { "NUL", "Team\u0000" },
        { "BEL", "Bell\u0007" },
        { "ESC", "\u001b[31mRed" },
        { "right-to-left override", "\u202Egnp.exe" },
        { "isolate", "a\u2066b\u2069" },
        { "newline", "two\nlines" },
        { "C1 next line", "next\u0085line" },
    };

    protected abstract TalkoHost Host { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task A_name_with_a_control_character_or_bidirectional_override_is_refused_naming_the_field(string what, string bad)
    {
        using var alice = await Host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Plans");
        var item = await alice.Client.PostTextOkAsync(conversation.Id, "hello");
        using var anonymous = Host.CreateClient();

        var attempts = new (string Field, Task<HttpResponseMessage> Response)[]
        {
            ("name", alice.Client.PostAsJsonAsync("/v1/groups", new { name = bad })),
            ("name", alice.Client.PatchAsJsonAsync($"/v1/groups/{group.Id}", new { name = bad })),
            ("title", alice.Client.PostAsJsonAsync($"/v1/groups/{group.Id}/conversations", new { title = bad })),
            ("title", alice.Client.PatchAsJsonAsync($"/v1/conversations/{conversation.Id}", new { title = bad })),
            ("displayName", alice.Client.PatchAsJsonAsync("/v1/me", new { displayName = bad })),
            ("note", alice.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/bookmarks", new { note = bad, itemId = item.Id })),
            ("tag", alice.Client.PostAsJsonAsync($"/v1/conversations/{conversation.Id}/tags", new { tag = bad })),
            ("q", alice.Client.GetAsync($"/v1/search?q={Uri.EscapeDataString(bad)}")),
            ("identifier", alice.Client.PostAsJsonAsync($"/v1/groups/{group.Id}/invites", new { identifier = $"carol{bad}@example.com" })),
            ("identifier", anonymous.PostAsJsonAsync("/v1/auth/start", new { identifier = $"da{bad}ve@example.com" })),
        };
        foreach (var (field, response) in attempts)
        {
            await AssertRefusedAsync(await response.WaitAsync(TestTimeouts.Default), field, what);
        }

        var stored = await ConversationsTestExtensions.ReadAsync<GroupView>(await alice.Client.GetAsync($"/v1/groups/{group.Id}").WaitAsync(TestTimeouts.Default), HttpStatusCode.OK);
        Assert.Equal("Crew", stored.Name);
    }

    [Fact]
    public async Task A_text_keeps_newlines_and_tabs_but_no_other_control_character()
    {
        using var alice = await Host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Plans");

        var text = await alice.Client.PostTextOkAsync(conversation.Id, "first line\r\nsecond\tcolumn\n\u05E9\u05DC\u05D5\u05DD");
        Assert.Equal("first line\nsecond\tcolumn\n\u05E9\u05DC\u05D5\u05DD", text.Text);

        await AssertRefusedAsync(await alice.Client.PostTextAsync(conversation.Id, Guid.NewGuid().ToString("N"), "ring\u0007"), "text", "BEL");
        await AssertRefusedAsync(await alice.Client.PostTextAsync(conversation.Id, Guid.NewGuid().ToString("N"), "\u001b[2Jcleared"), "text", "ESC");
        await AssertRefusedAsync(await alice.Client.PostTextAsync(conversation.Id, Guid.NewGuid().ToString("N"), "\u200B\u200B"), "text", "invisible only");
        await AssertRefusedAsync(
            await alice.Client.PatchAsJsonAsync($"/v1/conversations/{conversation.Id}/items/{text.Id}", new EditItemRequest("nul\u0000")).WaitAsync(TestTimeouts.Default), "text", "NUL in an edit");
        await AssertRefusedAsync(
            await alice.Client.UploadAsync($"/v1/conversations/{conversation.Id}/photos?caption={Uri.EscapeDataString("\u001b]0;pwned\u0007")}", TestMedia.Png(3, 2), "image/png"), "caption", "ESC in a caption");

        var page = await alice.Client.ItemsAsync(conversation.Id, "after=0");
        Assert.Equal([text.Id], page.Items.Where(i => i.Kind != ItemKind.System).Select(i => i.Id));
        Assert.Equal(text.Text, page.Items.Single(i => i.Id == text.Id).Text);
    }

    [Fact]
    public async Task Names_are_stored_in_nfc_and_limited_in_grapheme_clusters_and_code_units()
    {
        using var alice = await Host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");

        var group = await alice.Client.CreateGroupAsync("  Cafe\u0301 crew ");
        Assert.Equal("Caf\u00E9 crew", group.Name);

        // 120 thumbs up are 240 UTF-16 code units but 120 characters: within the 200-character title limit.
        var thumbs = string.Concat(Enumerable.Repeat("\U0001F44D", 120));
        Assert.Equal(thumbs, (await alice.Client.CreateConversationAsync(group.Id, thumbs)).Title);

        // 201 decomposed letters become 201 characters in NFC: one too many.
        var tooMany = await alice.Client.PostAsJsonAsync($"/v1/groups/{group.Id}/conversations", new { title = string.Concat(Enumerable.Repeat("e\u0301", 201)) }).WaitAsync(TestTimeouts.Default);
        await AssertRefusedAsync(tooMany, "title", "201 characters");

        // 150 skin-toned thumbs are 150 characters but 600 code units: more than the title column holds.
        var toned = await alice.Client.PostAsJsonAsync($"/v1/groups/{group.Id}/conversations", new { title = string.Concat(Enumerable.Repeat("\U0001F44D\U0001F3FD", 150)) }).WaitAsync(TestTimeouts.Default);
        await AssertRefusedAsync(toned, "title", "600 code units");
    }

    [Fact]
    public async Task A_group_role_or_device_platform_outside_its_enum_is_refused_and_nothing_is_stored()
    {
        using var alice = await Host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await Host.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var members = $"/v1/groups/{group.Id}/members";

        await AssertRefusedAsync(await PostJsonAsync(alice.Client, members, $"{{\"userId\":\"{bob.UserId}\",\"role\":42}}"), "role", "role 42");
        await AssertRefusedAsync(await PostJsonAsync(alice.Client, members, $"{{\"userId\":\"{bob.UserId}\",\"role\":\"Emperor\"}}"), "role", "role Emperor");
        await AssertRefusedAsync(await PostJsonAsync(alice.Client, $"/v1/groups/{group.Id}/invites", "{\"identifier\":\"carol@example.com\",\"role\":42}"), "role", "invite role 42");
        await AssertRefusedAsync(await PatchJsonAsync(alice.Client, $"{members}/{alice.UserId}", "{\"role\":42}"), "role", "change to role 42");

        var stored = await ConversationsTestExtensions.ReadAsync<GroupView>(await alice.Client.GetAsync($"/v1/groups/{group.Id}").WaitAsync(TestTimeouts.Default), HttpStatusCode.OK);
        Assert.Equal([(alice.UserId, GroupRole.Owner)], stored.Members.Select(m => (m.UserId, m.Role)));

        // Defined values still work, by name in any case or by number.
        await PostJsonAsync(alice.Client, members, $"{{\"userId\":\"{bob.UserId}\",\"role\":\"admin\"}}");
        await PatchJsonAsync(alice.Client, $"{members}/{bob.UserId}", "{\"role\":2}");
        stored = await ConversationsTestExtensions.ReadAsync<GroupView>(await alice.Client.GetAsync($"/v1/groups/{group.Id}").WaitAsync(TestTimeouts.Default), HttpStatusCode.OK);
        Assert.Equal(GroupRole.Member, stored.Members.Single(m => m.UserId == bob.UserId).Role);

        using var anonymous = Host.CreateClient();
        var identifier = $"carol-{Guid.NewGuid():N}@example.com";
        (await anonymous.PostAsJsonAsync("/v1/auth/start", new StartRequest(identifier, null)).WaitAsync(TestTimeouts.Default)).EnsureSuccessStatusCode();
        var code = Host.Codes().LastCodeFor(AccountsTestExtensions.Normalize(identifier));
        var verify = $"{{\"identifier\":\"{identifier}\",\"code\":\"{code}\",\"device\":{{\"platform\":42,\"name\":\"phone\"}}}}";
        await AssertRefusedAsync(await PostJsonAsync(anonymous, "/v1/auth/verify", verify), "device.platform", "platform 42");
        var badName = new VerifyRequest(identifier, null, code, new DeviceRegistration(DevicePlatform.Ios, "phone\u001b[8m", null));
        await AssertRefusedAsync(await anonymous.PostAsJsonAsync("/v1/auth/verify", badName).WaitAsync(TestTimeouts.Default), "device.name", "ESC in a device name");
    }

    [Fact]
    public async Task A_status_text_with_a_control_character_or_override_is_refused_by_the_hub()
    {
        using var alice = await Host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        await using var hub = Host.CreateHubConnection(alice);
        await hub.StartAndWaitUntilReadyAsync();

        foreach (var bad in new[] { "driving\u0007", "\u202Eevil", "two\nlines" })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("SetStatus", bad).WaitAsync(TestTimeouts.Default));
            Assert.Contains("statusText", refused.Message);
        }

        await hub.InvokeAsync("SetStatus", "  driving ").WaitAsync(TestTimeouts.Default);
    }

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json) =>
        await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).WaitAsync(TestTimeouts.Default);

    private static async Task<HttpResponseMessage> PatchJsonAsync(HttpClient client, string path, string json) =>
        await client.PatchAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).WaitAsync(TestTimeouts.Default);

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string what)
    {
        var body = await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what} on {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"{what}: the problem does not name '{field}': {body}");
    }
}
