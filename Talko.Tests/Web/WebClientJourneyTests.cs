using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Talko.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Talko.Tests.Web;

/// <summary>
/// Talko Web in a real browser against a real server process started as `dotnet run` starts it (Development): two
/// people sign up through the development mailbox, make a group and a conversation, talk live, share a photo, and one
/// of them catches up after being away. Every screen is checked with axe-core and saved as a screenshot.
/// </summary>
public sealed partial class WebClientJourneyTests : IAsyncLifetime
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
        await CheckAsync(bob, "conversation");

        // Bob goes away; Alice goes on; Bob comes back to every item once, in order, with no gap.
        await bob.GotoAsync("about:blank");
        foreach (var text in new[] { "one", "two", "three" })
        {
            await SendAsync(alice, text);
        }

        await bob.GotoAsync(conversationUrl.Replace(server.BaseAddress.ToString().TrimEnd('/'), "", StringComparison.Ordinal));
        await Expect(bob.Locator(".item", new() { HasText = "three" })).ToBeVisibleAsync();
        var texts = await bob.Locator(".item .text").AllInnerTextsAsync();
        Assert.Equal(["Hello Bob", "Hi Alice", "one", "two", "three"], texts);
        var sequence = (await bob.Locator(".timeline > li[data-seq]").EvaluateAllAsync<int[]>("items => items.map(i => Number(i.dataset.seq))")).ToList();
        Assert.Equal(Enumerable.Range(sequence[0], sequence.Count), sequence);
    }

    /// <summary>Signs up through the screens, reading the code from the development mailbox in a second tab.</summary>
    private async Task<IPage> SignUpAsync(string email, string name, bool screens)
    {
        var page = await browser.NewPersonAsync(server.BaseAddress, name);
        await page.GotoAsync("/");
        await page.GetByLabel("Email address").FillAsync(email);
        if (screens)
        {
            await CheckAsync(page, "sign-in");
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enter your code" })).ToBeVisibleAsync();

        var mailbox = await page.Context.NewPageAsync();
        await mailbox.GotoAsync("/#/mailbox");
        var message = mailbox.Locator("li.message", new() { HasText = email });
        await Expect(message).ToBeVisibleAsync();
        var code = await message.Locator(".code").InnerTextAsync();
        Assert.Matches(CodePattern(), code);
        if (screens)
        {
            await CheckAsync(mailbox, "mailbox");
            await CheckAsync(page, "code");
        }

        await mailbox.CloseAsync();
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByLabel("Display name")).ToBeVisibleAsync();
        if (screens)
        {
            await CheckAsync(page, "profile");
        }

        await page.GetByLabel("Display name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your groups" })).ToBeVisibleAsync();
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

    [GeneratedRegex("^[0-9]{4,10}$")]
    private static partial Regex CodePattern();
}
