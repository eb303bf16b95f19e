using Microsoft.Playwright;
using Talko.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Talko.Tests.Web;

/// <summary>
/// Talko Web keeps its person online: it heartbeats its hub connection at the interval the server gives in `ready`
/// (docs/realtime.md), so someone who reads a conversation without touching anything does not drop out of awareness
/// when the server's DeviceTimeout passes. Short timeouts here; the wait is several of them.
/// </summary>
public sealed class WebAwarenessTests : IAsyncLifetime
{
    private static readonly TimeSpan DeviceTimeout = TimeSpan.FromSeconds(6);
    private TalkoProcess server = null!;
    private Browser browser = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Talko:Sip:UdpPort"] = "0",
            ["Talko:Sip:TcpPort"] = "0",
            ["Talko:Awareness:DeviceTimeout"] = DeviceTimeout.ToString("c"),
            ["Talko:Awareness:ClientHeartbeatInterval"] = "00:00:01",
        };
        server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = settings });
        browser = await Browser.LaunchAsync();
        SetDefaultExpectTimeout((float)TestTimeouts.Default.TotalMilliseconds);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_person_reading_without_touching_anything_stays_viewing_past_the_device_timeout()
    {
        var alice = await browser.NewPersonAsync(server.BaseAddress, "alice");
        var bob = await browser.NewPersonAsync(server.BaseAddress, "bob");
        await WebSignUp.SignUpAsync(alice, "alice@example.com", "Alice");
        await alice.GetByLabel("New group name").FillAsync("Crew");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await alice.GetByLabel("Invite by email").FillAsync("bob@example.com");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await alice.GetByLabel("New conversation").FillAsync("Standup");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await WebSignUp.SignUpAsync(bob, "bob@example.com", "Bob");
        await bob.GetByRole(AriaRole.Link, new() { Name = "Standup" }).ClickAsync();
        // Alice's screen learnt Bob's name when he joined the group, before he chose it: a reload shows it.
        await alice.ReloadAsync();
        var whoIsHere = alice.GetByRole(AriaRole.List, new() { Name = "Who is here" });
        await Expect(whoIsHere).ToContainTextAsync("Bob: viewing");

        // Bob does nothing for three device timeouts; without heartbeats he would drop out within one (plus a renewal).
        await alice.WaitForTimeoutAsync((float)(DeviceTimeout * 3).TotalMilliseconds);

        await Expect(whoIsHere).ToContainTextAsync("Bob: viewing");
        Assert.Empty(browser.Errors);
    }
}
