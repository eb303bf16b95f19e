using Microsoft.Extensions.Options;
using Talko.Core.Instances;
using Talko.Core.Sip.Messages;
using Talko.Server.Drain;
using Talko.Tests.Infrastructure.Sip;
using static Talko.Tests.Infrastructure.Sip.SipText;

namespace Talko.Tests.Server.Drain;

/// <summary>SIP devices are steered away from a draining instance at their next REGISTER (the whole engine over a fake channel).</summary>
public sealed class DrainingRegistrationTests
{
    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);
    private const string Aor = "sip:alice@127.0.0.1";
    private static int branch;

    [Fact]
    public async Task A_serving_instance_grants_the_expiry_asked_and_a_draining_one_a_short_expiry()
    {
        var (lifecycle, policy) = Policy(new DrainOptions { SipShortExpirySeconds = 30 });
        await using var host = await SipTestHost.StartAsync(registrationPolicy: policy);

        var serving = await RegisterAsync(host, 1, "600");
        Assert.Equal(200, serving.StatusCode);
        Assert.Equal("600", Assert.Single(serving.Contacts).Parameters["expires"]);

        lifecycle.BeginDrain();
        var draining = await RegisterAsync(host, 3, "600");
        Assert.Equal(200, draining.StatusCode);
        Assert.Equal("30", Assert.Single(draining.Contacts).Parameters["expires"]);
        host.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Empty(await host.Bindings.GetAsync(Aor));
    }

    [Fact]
    public async Task Retry_elsewhere_answers_503_with_retry_after_and_keeps_the_binding_as_it_was()
    {
        var (lifecycle, policy) = Policy(new DrainOptions { SipSteering = SipDrainSteering.RetryElsewhere, SipRetryAfterSeconds = 7 });
        await using var host = await SipTestHost.StartAsync(registrationPolicy: policy);
        Assert.Equal(200, (await RegisterAsync(host, 1, "600")).StatusCode);
        var before = Assert.Single(await host.Bindings.GetAsync(Aor)).ExpiresAt;

        lifecycle.BeginDrain();
        var refused = await RegisterAsync(host, 3, "600");

        Assert.Equal(503, refused.StatusCode);
        Assert.Equal("7", refused.Headers.Get(SipHeaderNames.RetryAfter));
        Assert.Equal(before, Assert.Single(await host.Bindings.GetAsync(Aor)).ExpiresAt);
    }

    [Fact]
    public async Task Unregistering_is_accepted_while_draining()
    {
        var (lifecycle, policy) = Policy(new DrainOptions { SipSteering = SipDrainSteering.RetryElsewhere });
        await using var host = await SipTestHost.StartAsync(registrationPolicy: policy);
        Assert.Equal(200, (await RegisterAsync(host, 1, "600")).StatusCode);

        lifecycle.BeginDrain();

        Assert.Equal(200, (await RegisterAsync(host, 3, "0")).StatusCode);
        Assert.Empty(await host.Bindings.GetAsync(Aor));
    }

    [Fact]
    public async Task Devices_named_by_user_agent_are_refused_while_others_get_a_short_expiry()
    {
        var (lifecycle, policy) = Policy(new DrainOptions { SipRetryElsewhereUserAgents = ["FailoverPhone"] });
        await using var host = await SipTestHost.StartAsync(registrationPolicy: policy);
        lifecycle.BeginDrain();

        Assert.Equal(503, (await RegisterAsync(host, 1, "600", userAgent: "FailoverPhone/2.1")).StatusCode);
        Assert.Equal(200, (await RegisterAsync(host, 3, "600", userAgent: "OtherPhone/1.0")).StatusCode);
    }

    private static (InstanceLifecycle Lifecycle, DrainingRegistrationPolicy Policy) Policy(DrainOptions options)
    {
        var lifecycle = new InstanceLifecycle("blue", TimeProvider.System);
        return (lifecycle, new DrainingRegistrationPolicy(lifecycle, Options.Create(options)));
    }

    /// <summary>REGISTER, answer the digest challenge, return the final response.</summary>
    private static async Task<SipResponse> RegisterAsync(SipTestHost host, int cseq, string expires, string? userAgent = null)
    {
        var challenge = await SendAsync(host, Register(cseq, expires, null, userAgent));
        Assert.Equal(401, challenge.StatusCode);
        var offered = challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).First(c => c.Contains("algorithm=MD5", StringComparison.Ordinal));
        var auth = DigestClient.Authorization(offered, "REGISTER", "sip:127.0.0.1", SipTestHost.Username, SipTestHost.Password);
        return await SendAsync(host, Register(cseq + 1, expires, auth, userAgent));
    }

    private static string Register(int cseq, string expires, string? authorization, string? userAgent)
    {
        var lines = new List<string>
        {
            "REGISTER sip:127.0.0.1 SIP/2.0",
            $"Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKdrain{Interlocked.Increment(ref branch)};rport",
            "Max-Forwards: 70",
            "From: <sip:alice@127.0.0.1>;tag=d1",
            "To: <sip:alice@127.0.0.1>",
            "Call-ID: drain-reg-1",
            $"CSeq: {cseq} REGISTER",
            "Contact: <sip:alice@192.0.2.10:5070>",
            $"Expires: {expires}",
        };
        if (userAgent is not null)
        {
            lines.Add($"User-Agent: {userAgent}");
        }

        if (authorization is not null)
        {
            lines.Add($"Authorization: {authorization}");
        }

        lines.Add("Content-Length: 0");
        return Message([.. lines]);
    }

    private static async Task<SipResponse> SendAsync(SipTestHost host, string text)
    {
        host.Channel.Clear();
        await host.Channel.InjectAsync(text).WaitAsync(Timeout10s);
        return Assert.Single(host.Channel.SentResponses());
    }
}
