using Microsoft.Playwright;
using Talko.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Talko.Tests.Web;

/// <summary>
/// Talko Web in a real browser against a real server process started as `dotnet run` starts it (Development): two
/// people sign up through the development mailbox, make a group and a conversation, talk live, share a photo, and one
/// of them catches up after being away. Every screen is checked with axe-core and saved as a screenshot.
/// </summary>
public sealed class WebClientJourneyTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> FreeSipPorts = new() { ["Talko:Sip:UdpPort"] = "0", ["Talko:Sip:TcpPort"] = "0" };
    private TalkoProcess server = null!;
    private Browser browser = null!;
    private readonly List<string> accessibility = [];

    public async Task InitializeAsync()
    {
        server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = FreeSipPorts });
        browser = await Browser.LaunchAsync();
        SetDefaultExpectTimeout((float)TestTimeouts.Default.TotalMilliseconds);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Two_people_sign_up_talk_live_share_a_photo_and_catch_up_after_being_away()
    {
        var alice = await SignUpAsync("alice@example.com", "Alice", screens: true);
        await alice.GetByLabel("New group name").FillAsync("Crew");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Crew" })).ToBeVisibleAsync();
        await alice.GetByLabel("Invite by email").FillAsync("bob@example.com");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await alice.GetByLabel("New conversation").FillAsync("Plans");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Plans" })).ToBeVisibleAsync();
        var conversationUrl = alice.Url;

        var bob = await SignUpAsync("bob@example.com", "Bob", screens: false);
        try
        {
            await TalkAsync(alice, bob, conversationUrl);
        }
        catch
        {
            // What each person saw when it went wrong, next to the other screenshots.
            await Browser.ScreenshotAsync(alice, "failure-alice");
            await Browser.ScreenshotAsync(bob, "failure-bob");
            throw;
        }

        Assert.Empty(accessibility);
        Assert.Empty(browser.Errors);
    }

    private async Task TalkAsync(IPage alice, IPage bob, string conversationUrl)
    {
        await Expect(bob.GetByRole(AriaRole.Heading, new() { Name = "Crew" })).ToBeVisibleAsync();
        await CheckAsync(bob, "home");
        await bob.GetByRole(AriaRole.Link, new() { Name = "Plans" }).ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Heading, new() { Name = "Plans" })).ToBeVisibleAsync();

        // Texts appear live on the other side, with the author's display name.
        await SendAsync(alice, "Hello Bob");
        await Expect(bob.Locator(".item", new() { HasText = "Hello Bob" })).ToContainTextAsync("Alice");
        await SendAsync(bob, "Hi Alice");
        await Expect(alice.Locator(".item", new() { HasText = "Hi Alice" })).ToContainTextAsync("Bob");

        // A photo: uploaded by Alice, its thumbnail decoded in Bob's browser.
        await alice.GetByLabel("Send a photo").SetInputFilesAsync(new FilePayload { Name = "sunset.png", MimeType = "image/png", Buffer = TestMedia.Png(640, 480) });
        var thumbnail = bob.Locator("img.thumbnail");
        await Expect(thumbnail).ToBeVisibleAsync();
        await bob.WaitForFunctionAsync("() => { const i = document.querySelector('img.thumbnail'); return i && i.complete && i.naturalWidth > 0; }");

        // A voice clip recorded from Bob's (fake) microphone with MediaRecorder, playable on Alice's side.
        await bob.GetByRole(AriaRole.Button, new() { Name = "Record voice clip" }).ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Button, new() { Name = "Stop recording" })).ToHaveAttributeAsync("aria-pressed", "true");
        await bob.WaitForTimeoutAsync(1500);
        await bob.GetByRole(AriaRole.Button, new() { Name = "Stop recording" }).ClickAsync();
        await Expect(alice.Locator(".voice audio")).ToHaveCountAsync(1);
        await alice.WaitForFunctionAsync("() => { const a = document.querySelector('.voice audio'); return a && a.readyState >= 1 && a.duration > 0.5; }");
        await CheckAsync(bob, "conversation");

        // Awareness: Alice sees Bob viewing the conversation, then typing.
        await Expect(alice.GetByRole(AriaRole.List, new() { Name = "Who is here" })).ToContainTextAsync("Bob: viewing");
        await bob.GetByLabel("Message", new() { Exact = true }).PressSequentiallyAsync("thinking");
        await Expect(alice.GetByRole(AriaRole.List, new() { Name = "Who is here" })).ToContainTextAsync("Bob: typing");
        await bob.GetByLabel("Message", new() { Exact = true }).FillAsync("");

        // Bob tags and bookmarks Alice's first message; Alice sees both live.
        var first = bob.Locator(".item", new() { HasText = "Hello Bob" });
        await first.Locator("summary").ClickAsync();
        await first.GetByLabel("Tag", new() { Exact = true }).FillAsync("plans");
        // A live item arriving meanwhile adds its row and leaves the rows on screen as they are: the same elements, so
        // the open panel, the half-typed tag and the focus stay where Bob left them.
        await first.EvaluateAsync("""
            row => {
                row.dataset.before = 'live item';
                new MutationObserver(changes => {
                    if (changes.some(change => [...change.removedNodes].includes(row))) window.rowTakenOut = true;
                }).observe(row.parentElement, { childList: true });
            }
            """);
        await SendAsync(alice, "while Bob tags");
        await Expect(bob.Locator(".item", new() { HasText = "while Bob tags" })).ToBeVisibleAsync();
        await Expect(bob.Locator(".item[data-before]")).ToHaveCountAsync(1);
        Assert.False(await bob.EvaluateAsync<bool>("() => window.rowTakenOut === true"), "the row on screen was taken out and put back");
        await Expect(first.GetByLabel("Tag", new() { Exact = true })).ToBeFocusedAsync();
        await Expect(first.GetByLabel("Tag", new() { Exact = true })).ToHaveValueAsync("plans");
        await first.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await first.GetByRole(AriaRole.Button, new() { Name = "Bookmark" }).ClickAsync();
        var seenByAlice = alice.Locator(".item", new() { HasText = "Hello Bob" });
        await Expect(seenByAlice).ToContainTextAsync("#plans");
        await Expect(seenByAlice).ToContainTextAsync("Bookmarked");

        // Mute, from the conversation's header.
        await alice.GetByRole(AriaRole.Button, new() { Name = "Mute" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Unmute" })).ToHaveAttributeAsync("aria-pressed", "true");

        // Bob goes away; Alice goes on; Bob comes back to every item once, in order, with no gap.
        await bob.GotoAsync("about:blank");
        foreach (var text in new[] { "one", "two", "three" })
        {
            await SendAsync(alice, text);
        }

        await bob.GotoAsync(conversationUrl.Replace(server.BaseAddress.ToString().TrimEnd('/'), "", StringComparison.Ordinal));
        await Expect(bob.Locator(".item", new() { HasText = "three" })).ToBeVisibleAsync();
        var texts = await bob.Locator(".item .text").AllInnerTextsAsync();
        Assert.Equal(["Hello Bob", "Hi Alice", "while Bob tags", "one", "two", "three"], texts);
        var sequence = (await bob.Locator(".timeline > li[data-seq]").EvaluateAllAsync<int[]>("items => items.map(i => Number(i.dataset.seq))")).ToList();
        Assert.Equal(Enumerable.Range(sequence[0], sequence.Count), sequence);

        // Alice edits one of her messages and deletes another; Bob sees both live.
        var two = alice.Locator(".item", new() { HasText = "two" });
        await two.Locator("summary").ClickAsync();
        await two.GetByLabel("Edit text").FillAsync("two, edited");
        await two.GetByRole(AriaRole.Button, new() { Name = "Save edit" }).ClickAsync();
        await Expect(bob.Locator(".item", new() { HasText = "two, edited" })).ToContainTextAsync("(edited)");
        var three = alice.Locator(".item", new() { HasText = "three" });
        await three.Locator("summary").ClickAsync();
        await three.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(bob.Locator(".item .text", new() { HasText = "three" })).ToHaveCountAsync(0);
        await Expect(bob.Locator(".item .deleted")).ToHaveCountAsync(1);

        // Search finds the message; notifications and settings work.
        await bob.GetByRole(AriaRole.Link, new() { Name = "Search" }).ClickAsync();
        await bob.GetByLabel("Search for words or #tags").FillAsync("Hello");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Region, new() { Name = "Results" })).ToContainTextAsync("Alice in Plans");
        await CheckAsync(bob, "search");
        await bob.GetByRole(AriaRole.Link, new() { Name = "Notifications" }).ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Heading, new() { Name = "Notifications" })).ToBeVisibleAsync();
        await Expect(bob.GetByRole(AriaRole.List, new() { Name = "Notifications" }).Locator("li").First).ToBeVisibleAsync();
        await CheckAsync(bob, "notifications");
        await alice.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        // The conversation screen goes away only once the route changes; wait for the settings screen so "From"
        // cannot match the voice clip from Bob that is still on the page.
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Settings" })).ToBeVisibleAsync();
        await alice.GetByLabel("From", new() { Exact = true }).FillAsync("22:00");
        await alice.GetByLabel("Until", new() { Exact = true }).FillAsync("07:00");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Save hours" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Status)).ToContainTextAsync("Do not disturb saved.");
        await CheckAsync(alice, "settings");
    }

    /// <summary>Signs up through the screens, reading the code from the development mailbox in a second tab.</summary>
    private async Task<IPage> SignUpAsync(string email, string name, bool screens)
    {
        var page = await browser.NewPersonAsync(server.BaseAddress, name);
        await WebSignUp.SignUpAsync(page, email, name, screens ? CheckAsync : null);
        return page;
    }

    private static async Task SendAsync(IPage page, string text)
    {
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.Locator(".item", new() { HasText = text })).ToBeVisibleAsync();
    }

    private async Task CheckAsync(IPage page, string screen)
    {
        await Browser.ScreenshotAsync(page, screen);
        accessibility.AddRange((await Browser.AccessibilityProblemsAsync(page)).Select(p => $"{screen}: {p}"));
    }
}
