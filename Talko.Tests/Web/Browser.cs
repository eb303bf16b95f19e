using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Web;

/// <summary>
/// Debian's headless Chromium driven by Playwright (nothing downloads a browser): one browser per test class, a
/// context per person. Collects console errors, runs axe-core, and saves screenshots under TestResults/web.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    /// <summary>Where Chromium is: TALKO_CHROMIUM, or Debian's package (scripts/test.sh installs it).</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("TALKO_CHROMIUM") ?? "/usr/bin/chromium";

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private readonly List<string> errors = [];

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        this.browser = browser;
    }

    /// <summary>Console errors and uncaught exceptions of every page so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (errors)
            {
                return [.. errors];
            }
        }
    }

    public static string ArtifactDirectory { get; } = FindArtifactDirectory();

    /// <param name="extraArgs">More Chromium switches (a WebRTC test's fake audio file, for one).</param>
    public static async Task<Browser> LaunchAsync(params string[] extraArgs)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"No Chromium at {ExecutablePath}: install Debian's chromium (scripts/test.sh does) or set TALKO_CHROMIUM.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root in CI has no user namespace sandbox; fake media devices for the call screens.
            Args = ["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", .. extraArgs],
        });
        return new Browser(playwright, browser);
    }

    public async Task<IPage> NewPersonAsync(Uri baseAddress, string name)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = 412, Height = 900 } });
        var page = await context.NewPageAsync();
        Watch(page, name);
        context.Page += (_, opened) => Watch(opened, name);
        return page;
    }

    /// <summary>axe-core on the page as it is: the serious and critical violations, described.</summary>
    public static async Task<IReadOnlyList<string>> AccessibilityProblemsAsync(IPage page)
    {
        var results = await page.RunAxe();
        return results.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactDirectory, $"{name}.png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }

    private void Watch(IPage page, string name)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add($"{name}: console: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add($"{name}: uncaught: {error}");
            }
        };
    }

    private static string FindArtifactDirectory()
    {
        var path = Path.Combine(SolutionPaths.Root, "TestResults", "web");
        Directory.CreateDirectory(path);
        return path;
    }
}
