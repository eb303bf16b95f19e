using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Hosting.Telemetry;

/// <summary>
/// /metrics on a real Talko process (its meters are its own, unlike in-process hosts that share them) while a sipp
/// call streams audio into it: the call, leg, RTP, mixer and SIP counters move; a wrong SIP password and a sign-in
/// without a valid code are counted as authentication failures; the page is valid Prometheus text
/// (promtool); the scrape key is required; every Talko metric it shows, and every one the dashboard and alert rules
/// query, is documented in docs/operations.md; a drain shows in the instance state.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed partial class MetricsEndpointTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string ScrapeKey = "metrics-test-scrape-key-0123456789";
    private readonly CallInstances instances = new(postgres, redis, "metrics");
    private TalkoProcess owner = null!;
    private TalkoHost front = null!;
    private int sipPort;

    public async Task InitializeAsync()
    {
        (front, _) = instances.StartHost("metrics-front");
        (owner, sipPort) = await instances.StartProcessAsync("metrics-owner", s => s["Talko:Telemetry:ScrapeKey"] = ScrapeKey);
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task A_call_streaming_audio_moves_the_call_RTP_mixer_and_SIP_meters_on_metrics()
    {
        using var scraper = owner.CreateClient();
        using (var refused = await scraper.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeKey);
        var before = await ScrapeAsync(scraper);
        Assert.Equal(0, before.Sum("talko_calls_active"));

        using var alice = await front.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Metrics");
        using var aliceOnOwner = owner.CreateClient();
        aliceOnOwner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alice.Tokens.AccessToken);
        var call = await aliceOnOwner.StartCallAsync(conversation.Id);
        Assert.Equal("metrics-owner", call.OwnerInstanceId);

        await using var peer = new CallAudioPeer();
        var leg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPort}", call.Id, alice, peer.Port, TimeSpan.FromSeconds(8));
        await CallsTestKit.MediaFlowingAsync(peer, leg);
        await peer.TalkAsync(150, n => 800).WaitAsync(TimeSpan.FromSeconds(15));

        // Mid-call: the leg is in and 150 packets went in; the server's own packets and ticks keep coming.
        var during = await TestTimeouts.EventuallyAsync(() => ScrapeAsync(scraper),
            s => s.Sum("talko_rtp_packets_total", ("talko_rtp_direction", "received")) >= 150, TimeSpan.FromSeconds(10), "150 received RTP packets on /metrics");
        output.WriteLine(string.Join('\n', during.Text.Split('\n').Where(l => l.StartsWith("talko_", StringComparison.Ordinal))));
        Assert.Equal(1, during.Sum("talko_calls_active"));
        Assert.Equal(1, during.Sum("talko_call_legs_active", ("talko_codec", "pcmu"), ("network_transport", "udp")));
        Assert.True(during.Sum("talko_rtp_packets_total", ("talko_rtp_direction", "sent")) >= 100, "the server's mix went out");
        Assert.True(during.Sum("talko_mixer_ticks_total") >= 150, "mixer ticks counted");
        Assert.True(during.Sum("talko_mixer_tick_duration_seconds_count") >= 150, "tick durations recorded");
        Assert.True(during.Sum("talko_sip_requests_total", ("sip_method", "INVITE"), ("talko_sip_direction", "received")) >= 2, "the INVITE and its authenticated retry");
        Assert.True(during.Sum("talko_sip_responses_total", ("sip_method", "INVITE"), ("sip_status_code", "401"), ("talko_sip_direction", "sent")) >= 1);
        Assert.True(during.Sum("talko_sip_responses_total", ("sip_method", "INVITE"), ("sip_status_code", "200"), ("talko_sip_direction", "sent")) >= 1);
        Assert.Equal(1, during.Sum("talko_instance_state", ("talko_instance_state", "serving")));
        Assert.True(during.Sum("http_server_request_duration_seconds_count") >= 1, "ASP.NET Core's own request metrics are there too");

        var result = await leg.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        var after = await TestTimeouts.EventuallyAsync(() => ScrapeAsync(scraper),
            s => s.Sum("talko_sip_requests_total", ("sip_method", "BYE"), ("talko_sip_direction", "received")) >= 1 && !s.Has("talko_call_legs_active"),
            TimeSpan.FromSeconds(10), "the BYE counted and the leg gone");

        // Counters of the leg that left stay counted: they never go backwards.
        Assert.True(after.Sum("talko_rtp_packets_total", ("talko_rtp_direction", "received")) >= during.Sum("talko_rtp_packets_total", ("talko_rtp_direction", "received")));
        Assert.True(after.Sum("talko_mixer_ticks_total") >= during.Sum("talko_mixer_ticks_total"));

        // Authentication failures (a REGISTER answered with the wrong password, a sign-in with a code never sent) and a
        // device that registers.
        var wrongPassword = await Talko.Tests.Infrastructure.Sip.SippRunner.RunAsync("register-wrong-password.xml", $"127.0.0.1:{sipPort}",
            ["-i", "127.0.0.1", "-p", Talko.Tests.Infrastructure.Sip.FreePort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "u1",
             "-s", alice.Sip.Username, "-au", alice.Sip.Username, "-ap", "not-the-password"], TimeSpan.FromSeconds(30));
        Assert.True(wrongPassword.ExitCode == 0, wrongPassword.ToString());
        var registered = await Talko.Tests.Infrastructure.Sip.SippRunner.RunAsync("register.xml", $"127.0.0.1:{sipPort}",
            ["-i", "127.0.0.1", "-p", Talko.Tests.Infrastructure.Sip.FreePort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "u1",
             "-s", alice.Sip.Username, "-au", alice.Sip.Username, "-ap", alice.Sip.Secret!], TimeSpan.FromSeconds(30));
        Assert.True(registered.ExitCode == 0, registered.ToString());
        using (var verify = await owner.CreateClient().PostAsync("/v1/auth/verify", System.Net.Http.Json.JsonContent.Create(new
        {
            identifier = $"nobody-{Guid.NewGuid():N}@example.com", code = "123456", device = new { platform = "Web", name = "Browser" },
        })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, verify.StatusCode);
        }

        // The exporter serves a cached page for a moment after each scrape: poll until the failures show.
        var failures = await TestTimeouts.EventuallyAsync(() => ScrapeAsync(scraper), s => s.Has("talko_signin_failures_total") && s.Has("talko_sip_auth_failures_total"),
            TimeSpan.FromSeconds(10), "the failures on /metrics");
        Assert.Equal(1, failures.Sum("talko_sip_auth_failures_total", ("talko_sip_auth_result", "failed")));
        Assert.Equal(1, failures.Sum("talko_sip_registrations_total", ("talko_sip_registration_outcome", "refused")));
        Assert.Equal(1, failures.Sum("talko_sip_registrations_total", ("talko_sip_registration_outcome", "bound")));
        Assert.Equal(1, failures.Sum("talko_sip_registrations_active"));
        Assert.Equal(1, failures.Sum("talko_signin_failures_total", ("talko_signin_failure", "expired_code")));

        await PromtoolAcceptsAsync(failures.Text);
        DocumentedAndDeployedNamesAgree(failures);

        // The drain state: an admin drain flips the gauge before the instance goes (it waits out the load balancer's grace).
        using (var drain = await owner.CreateAdminClient().PostAsync("/v1/admin/drain", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
        }

        var draining = await TestTimeouts.EventuallyAsync(() => ScrapeAsync(scraper), s => s.Sum("talko_instance_state", ("talko_instance_state", "draining")) == 1,
            TimeSpan.FromSeconds(4), "the draining state on /metrics");
        Assert.Equal(0, draining.Sum("talko_instance_state", ("talko_instance_state", "serving")));
    }

    private static async Task<PrometheusScrape> ScrapeAsync(HttpClient scraper)
    {
        using var response = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>promtool parses the page (exit 0, or 3 for lint findings) and finds nothing to lint in Talko's own metrics.</summary>
    private async Task PromtoolAcceptsAsync(string page)
    {
        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var promtool = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start (apt-get install prometheus)");
        await promtool.StandardInput.WriteAsync(page);
        promtool.StandardInput.Close();
        var findings = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        output.WriteLine($"promtool check metrics: exit {promtool.ExitCode}\n{findings}");
        Assert.True(promtool.ExitCode is 0 or 3, $"promtool could not parse /metrics: {findings}");
        Assert.DoesNotContain("talko_", findings, StringComparison.Ordinal);
    }

    private static void DocumentedAndDeployedNamesAgree(PrometheusScrape scrape)
    {
        var root = SolutionPaths.Root;
        var operations = File.ReadAllText(Path.Combine(root, "docs", "operations.md"));
        var documented = TalkoName().Matches(operations).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var served = scrape.Families.Where(f => f.StartsWith("talko_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(served);
        Assert.All(served, family => Assert.Contains(family, documented));

        var deployed = TalkoName().Matches(File.ReadAllText(Path.Combine(root, "deploy", "prometheus", "talko-alerts.yml"))
                + File.ReadAllText(Path.Combine(root, "deploy", "grafana", "dashboards", "talko.json")))
            .Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", ""))
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(deployed, name => Assert.Contains(name, documented));
    }

    [GeneratedRegex(@"\btalko_[a-z0-9_]+")]
    private static partial Regex TalkoName();
}
