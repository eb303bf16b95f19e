using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Hosting.Telemetry;

/// <summary>Who may read /metrics (ADR 0900): loopback callers without forwarding headers when no key is set; only the scrape key when one is.</summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task Without_a_scrape_key_only_direct_loopback_callers_read_metrics()
    {
        await using var host = new TalkoHost(TalkoHostOptions.Embedded());
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client.From("127.0.0.1")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client.From("::1")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.From("203.0.113.9")));
        // A load balancer on the same host relays an outsider: loopback address, but forwarded.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.From("127.0.0.1"), ("X-Forwarded-For", "203.0.113.9")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.From("127.0.0.1"), ("Forwarded", "for=203.0.113.9")));
    }

    [Fact]
    public async Task With_a_scrape_key_only_that_key_reads_metrics_and_neither_user_tokens_nor_the_admin_key_do()
    {
        const string key = "access-test-scrape-key-0123456789";
        await using var host = new TalkoHost(TalkoHostOptions.Embedded() with
        {
            Settings = new Dictionary<string, string?> { ["Talko:Telemetry:ScrapeKey"] = key },
        });
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var client = host.CreateClient().From("203.0.113.9");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, ("Authorization", $"Bearer {alice.Tokens.AccessToken}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, ("X-Talko-Admin-Key", host.Options.AdminKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, ("Authorization", $"Bearer {key}x")));
        // Loopback is no exemption once a key is set.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host.CreateClient().From("127.0.0.1")));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.SendAsync(request).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE talko_calls_active gauge", page, StringComparison.Ordinal);
        Assert.DoesNotContain(alice.UserId.ToString(), page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_served_scrape_stays_out_of_the_information_log_and_a_refused_one_is_a_warning()
    {
        var logs = new CapturedLogEvents();
        await using var host = new TalkoHost(TalkoHostOptions.Embedded(), services => services.AddSingleton<Serilog.Core.ILogEventSink>(logs));
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client.From("127.0.0.1")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client.From("203.0.113.9")));

        await TestTimeouts.EventuallyAsync(() => Task.FromResult(Scrapes(logs).Any(e => StatusOf(e) == "403")), TestTimeouts.Default, "the refused scrape's line");
        var lines = Scrapes(logs);
        Assert.True(lines.Count == 1 && lines[0].Level == LogEventLevel.Warning, CapturedLogEvents.Describe(lines));
    }

    [Fact]
    public async Task A_scrape_key_shorter_than_16_characters_stops_start_up()
    {
        await using var host = new TalkoHost(TalkoHostOptions.Embedded() with
        {
            Settings = new Dictionary<string, string?> { ["Talko:Telemetry:ScrapeKey"] = "short" },
        });
        var failure = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("Talko:Telemetry", failure.ToString(), StringComparison.Ordinal);
    }

    private static List<LogEvent> Scrapes(CapturedLogEvents logs) => [.. logs.With("RequestPath", "/metrics")];

    private static string? StatusOf(LogEvent e) =>
        e.Properties.TryGetValue("StatusCode", out var status) ? CapturedLogEvents.Render(status) : null;

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request).WaitAsync(TestTimeouts.Default);
        return response.StatusCode;
    }
}
