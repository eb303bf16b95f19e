using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Talko.LoadClient;

/// <summary>A member who joins a call from Talko Web in headless Chromium (a WebRTC leg), beside the call's SIP legs.</summary>
public sealed record BrowserParticipant(Guid CallId, Guid ConversationId, LoadUser User);

/// <summary>
/// WebRTC legs for a blue/green run: Debian's headless Chromium runs Talko Web as each participant, signed in with the
/// load user's session, joins the call with "Join the call" and stays in it until disposed. When the call moves, Talko
/// Web rejoins on <c>callMoved</c> as any browser would, so the new owner logs the leg's gap as it does a SIP leg's.
/// Nothing downloads a browser: Playwright drives the Chromium at the path given.
/// </summary>
public sealed class BrowserLegs : IAsyncDisposable
{
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private readonly ConcurrentQueue<string> errors = new();
    private readonly ConcurrentQueue<string> failedJoins = new();
    private readonly ConcurrentDictionary<string, IPage> pages = new();

    private BrowserLegs(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        this.browser = browser;
    }

    /// <summary>Console errors and uncaught exceptions of the pages, prefixed with the participant.</summary>
    public IReadOnlyCollection<string> Errors => errors;

    /// <summary>Participants whose page did not get into the call within the join timeout, with the step it stopped at.</summary>
    public IReadOnlyCollection<string> FailedJoins => failedJoins;

    /// <summary>
    /// One browser participant in each of the last <paramref name="count"/> calls (in a blue/green run the first calls
    /// end by themselves and the last ones are moved): a member of the call's conversation who has no SIP leg in it.
    /// </summary>
    public static IReadOnlyList<BrowserParticipant> Choose(IReadOnlyList<LoadUser> users, IReadOnlyList<CallLeg> legs, int count)
    {
        var calls = legs.Select(l => l.CallId).Distinct().TakeLast(count).ToList();
        if (calls.Count < count)
        {
            throw new InvalidOperationException($"{count} browser legs need as many calls; there are {calls.Count}.");
        }

        return calls.Select(callId =>
        {
            var inCall = legs.Where(l => l.CallId == callId).Select(l => l.UserId).ToHashSet();
            var conversation = users.First(u => inCall.Contains(u.UserId)).ConversationId;
            var member = users.FirstOrDefault(u => u.ConversationId == conversation && !inCall.Contains(u.UserId))
                ?? throw new InvalidOperationException($"Call {callId} has no member without a SIP leg to join from a browser: raise --per-conversation.");
            return new BrowserParticipant(callId, conversation, member);
        }).ToList();
    }

    /// <summary>
    /// Starts Chromium and has every participant join its call; returns once each page shows "Leave call" or has run
    /// out of time (listed in <see cref="FailedJoins"/>).
    /// </summary>
    public static async Task<BrowserLegs> JoinAsync(
        Uri baseAddress, IReadOnlyList<BrowserParticipant> participants, string chromium, TimeSpan timeout)
    {
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"No Chromium at {chromium}: install Debian's chromium or pass --chromium.");
        }

        var playwright = await Playwright.CreateAsync();
        IBrowser browser;
        try
        {
            browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = chromium,
                Headless = true,
                // Root has no user namespace sandbox; a fake microphone (a beeping tone) that needs no permission prompt.
                Args = ["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
            });
        }
        catch
        {
            playwright.Dispose();
            throw;
        }

        var legs = new BrowserLegs(playwright, browser);
        try
        {
            await Task.WhenAll(participants.Select(p => legs.JoinOneAsync(baseAddress, p, timeout)));
        }
        catch
        {
            await legs.DisposeAsync();
            throw;
        }

        return legs;
    }

    private async Task JoinOneAsync(Uri baseAddress, BrowserParticipant participant, TimeSpan timeout)
    {
        var user = participant.User;
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString() });
        // Talko Web keeps its session in localStorage ("talko.session", Talko.Web/src/api.ts). Set only when absent: the
        // page refreshes its tokens and saves them there, and a reload must not put the first ones back.
        var session = JsonSerializer.Serialize(new
        {
            userId = user.UserId,
            deviceId = user.DeviceId,
            tokens = new { accessToken = user.AccessToken, refreshToken = user.RefreshToken },
        });
        await context.AddInitScriptAsync(
            $"if (!localStorage.getItem('talko.session')) localStorage.setItem('talko.session', {JsonSerializer.Serialize(session)});");
        // Talko Web's status line clears itself after a few seconds: keep every message it showed, with the time.
        await context.AddInitScriptAsync(
            "addEventListener('DOMContentLoaded', () => { const s = document.getElementById('status'); if (!s) return; " +
            "new MutationObserver(() => { if (s.textContent) (window.talkoStatuses ??= []).push(new Date().toISOString().slice(11, 23) + ' ' + s.textContent); })" +
            ".observe(s, { childList: true, characterData: true, subtree: true }); });");
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue($"{user.Name}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Enqueue($"{user.Name}: {error}");
        page.Crash += (_, _) => errors.Enqueue($"{user.Name}: the page crashed");
        page.Close += (_, _) => errors.Enqueue($"{user.Name}: the page closed at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
        browser.Disconnected += (_, _) => errors.Enqueue($"the browser disconnected at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
        // Listed before it joins, so a page that never gets into its call is still described at the end of the run.
        pages[user.Name] = page;
        var milliseconds = (float)timeout.TotalMilliseconds;
        var step = "opening the conversation";
        try
        {
            await page.GotoAsync($"/#/c/{participant.ConversationId:D}", new() { Timeout = milliseconds });
            step = "waiting for \"Join the call\"";
            await page.GetByRole(AriaRole.Button, new() { Name = "Join the call" }).ClickAsync(new() { Timeout = milliseconds });
            step = "waiting for \"Leave call\"";
            await page.GetByRole(AriaRole.Button, new() { Name = "Leave call" }).WaitForAsync(new() { Timeout = milliseconds });
        }
        catch (Exception exception) when (exception is PlaywrightException or TimeoutException)
        {
            // A browser that cannot join is a finding of the run, reported with the others, not the end of the run.
            failedJoins.Enqueue($"{user.Name} did not join call {participant.CallId:D} ({step}): {exception.Message.Split('\n')[0]}");
        }
    }

    /// <summary>
    /// Samples one page's JavaScript for a while with the DevTools protocol profiler and writes the profile
    /// (.cpuprofile, readable by Chromium's DevTools): where a page that keeps its renderer busy spends the time.
    /// </summary>
    public async Task ProfileAsync(TimeSpan duration, string path)
    {
        var page = pages.Values.First();
        var session = await page.Context.NewCDPSessionAsync(page);
        await session.SendAsync("Profiler.enable");
        await session.SendAsync("Profiler.start");
        await Task.Delay(duration);
        var result = await session.SendAsync("Profiler.stop");
        await File.WriteAllTextAsync(path, result?.GetProperty("profile").GetRawText());
    }

    /// <summary>
    /// Who is still in their call as their page shows it ("Leave call" offered), and what the page says otherwise
    /// (every message Talko Web's status line showed, such as "The connection dropped, and the call with it").
    /// </summary>
    public async Task<IReadOnlyList<string>> DescribeAsync()
    {
        var lines = new List<string>();
        foreach (var (name, page) in pages.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (page.IsClosed)
            {
                lines.Add($"{name}: the page was closed");
                continue;
            }

            try
            {
                // Bounded: a page that stopped answering must not keep the run from reporting.
                var inCall = await page.GetByRole(AriaRole.Button, new() { Name = "Leave call" }).IsVisibleAsync().WaitAsync(TimeSpan.FromSeconds(10));
                var statuses = await page.EvaluateAsync<string[]>("() => window.talkoStatuses ?? []").WaitAsync(TimeSpan.FromSeconds(10));
                lines.Add($"{name}: {(inCall ? "in the call" : "not in the call")}{string.Concat(statuses.Select(s => $"; at {s}"))}");
            }
            catch (Exception exception) when (exception is PlaywrightException or TimeoutException)
            {
                lines.Add($"{name}: the page did not answer ({exception.GetType().Name}: {exception.Message})");
            }
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception exception) when (exception is PlaywrightException or TimeoutException)
        {
            errors.Enqueue($"closing the browser: {exception.Message}");
        }

        playwright.Dispose();
    }
}
