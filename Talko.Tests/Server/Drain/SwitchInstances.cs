using System.Globalization;
using System.Net;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Drain;

/// <summary>What both blue/green switch tests give their instances: sign-in codes by SMTP to the test's sink, and a drain short enough for a test.</summary>
internal static class SwitchInstances
{
    public static Dictionary<string, string?> Settings(int smtpPort, TimeSpan grace, TimeSpan window, TimeSpan jitter, TimeSpan closeAfter) => new()
    {
        ["Talko:Accounts:Smtp:Host"] = "127.0.0.1",
        ["Talko:Accounts:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Talko:Accounts:Smtp:EnableTls"] = "false",
        ["Talko:Accounts:AuthRequestsPerIp"] = "10000",
        ["Talko:Drain:LoadBalancerGrace"] = grace.ToString(),
        ["Talko:Drain:ReconnectWindow"] = window.ToString(),
        ["Talko:Drain:ReconnectJitter"] = jitter.ToString(),
        ["Talko:Drain:ReconnectCloseAfter"] = closeAfter.ToString(),
        ["Talko:Drain:HardDeadline"] = "00:00:40",
    };

    /// <summary>Green is ready (what the load balancer's health check waits for).</summary>
    public static Task WaitReadyAsync(TalkoProcess process) =>
        TestTimeouts.EventuallyAsync(async () =>
        {
            using var client = process.CreateClient();
            return (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
        }, TestTimeouts.Long, "green ready");
}
