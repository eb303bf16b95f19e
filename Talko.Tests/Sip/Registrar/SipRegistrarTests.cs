using Talko.Core.Sip.Messages;
using Talko.Tests.Sip.Infrastructure;
using static Talko.Tests.Sip.Infrastructure.SipText;

namespace Talko.Tests.Sip.Registrar;

/// <summary>REGISTER with digest (RFC 3261 section 10, RFC 8760) through the whole engine over a fake channel.</summary>
public sealed class SipRegistrarTests
{
    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);
    private const string RequestUri = "sip:127.0.0.1";
    private static int branch;

    private static string Register(int cseq, string? authorization = null, string user = SipTestHost.Username, string contact = "<sip:alice@192.0.2.10:5070>", string? expires = "600", string callId = "reg-1", string? userAgent = null)
    {
        var lines = new List<string>
        {
            $"REGISTER {RequestUri} SIP/2.0",
            $"Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKreg{Interlocked.Increment(ref branch)};rport",
            "Max-Forwards: 70",
            $"From: <sip:{user}@127.0.0.1>;tag=r1",
            $"To: <sip:{user}@127.0.0.1>",
            $"Call-ID: {callId}",
            $"CSeq: {cseq} REGISTER",
            $"Contact: {contact}",
        };
        if (expires is not null) lines.Add($"Expires: {expires}");
        if (authorization is not null) lines.Add($"Authorization: {authorization}");
        if (userAgent is not null) lines.Add($"User-Agent: {userAgent}");
        lines.Add("Content-Length: 0");
        return Message([.. lines]);
    }

    private static async Task<SipResponse> SendAsync(SipTestHost host, string text)
    {
        host.Channel.Clear();
        await host.Channel.InjectAsync(text).WaitAsync(Timeout10s);
        return Assert.Single(host.Channel.SentResponses());
    }

    private static string Challenge(SipResponse response, string algorithm) =>
        response.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Single(c => c.Contains("algorithm=" + algorithm, StringComparison.Ordinal));

    [Theory]
    [InlineData("SHA-256")]
    [InlineData("MD5")]
    public async Task Right_password_registers_the_contact(string algorithm)
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = await SendAsync(host, Register(1));
        Assert.Equal(401, challenge.StatusCode);
        var offered = challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).ToList();
        Assert.Equal(2, offered.Count);
        Assert.Contains("algorithm=SHA-256", offered[0]); // preferred first (RFC 8760 section 2.4)
        Assert.Contains("qop=\"auth\"", offered[0]);

        var auth = DigestClient.Authorization(Challenge(challenge, algorithm), "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        var ok = await SendAsync(host, Register(2, auth));
        Assert.Equal(200, ok.StatusCode);
        var contact = Assert.Single(ok.Contacts);
        Assert.Equal("600", contact.Parameters["expires"]);

        var binding = Assert.Single(await host.Bindings.GetAsync("sip:alice@127.0.0.1"));
        Assert.Equal("user-1", binding.UserId);
        Assert.Equal("device-1", binding.DeviceId);
        Assert.Equal(FakeSipChannel.Peer, binding.Source);

        host.Time.Advance(TimeSpan.FromSeconds(601));
        Assert.Empty(await host.Bindings.GetAsync("sip:alice@127.0.0.1"));
    }

    /// <summary>Regression (ADR 0160): baresip 1.0 gave up with ENOSYS on the SHA-256 challenge instead of answering the MD5 one.</summary>
    [Fact]
    public async Task A_client_known_to_fail_on_SHA_256_is_challenged_with_MD5_only_and_registers()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = await SendAsync(host, Register(1, userAgent: "baresip v1.0.0 (x86_64/linux)"));
        Assert.Equal(401, challenge.StatusCode);
        var offered = Assert.Single(challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate));
        Assert.Contains("algorithm=MD5", offered, StringComparison.Ordinal);

        var auth = DigestClient.Authorization(offered, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        Assert.Equal(200, (await SendAsync(host, Register(2, auth, userAgent: "baresip v1.0.0 (x86_64/linux)"))).StatusCode);
        Assert.Single(await host.Bindings.GetAsync("sip:alice@127.0.0.1"));
    }

    [Fact]
    public async Task Other_clients_still_get_SHA_256_first()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = await SendAsync(host, Register(1, userAgent: "baresip v2.12.0 (x86_64/linux)"));
        var offered = challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).ToList();
        Assert.Equal(2, offered.Count);
        Assert.Contains("algorithm=SHA-256", offered[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_is_forbidden()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = await SendAsync(host, Register(1));
        var auth = DigestClient.Authorization(Challenge(challenge, "MD5"), "REGISTER", RequestUri, SipTestHost.Username, "wrong");
        Assert.Equal(403, (await SendAsync(host, Register(2, auth))).StatusCode);
        Assert.Empty(await host.Bindings.GetAsync("sip:alice@127.0.0.1"));
    }

    [Fact]
    public async Task A_replayed_nonce_count_is_refused()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = Challenge(await SendAsync(host, Register(1)), "SHA-256");
        var first = DigestClient.Authorization(challenge, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password, nc: 1);
        Assert.Equal(200, (await SendAsync(host, Register(2, first))).StatusCode);
        Assert.Equal(403, (await SendAsync(host, Register(3, first))).StatusCode);
        var next = DigestClient.Authorization(challenge, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password, nc: 2);
        Assert.Equal(200, (await SendAsync(host, Register(4, next))).StatusCode);
    }

    [Fact]
    public async Task An_expired_nonce_is_challenged_again_as_stale()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = Challenge(await SendAsync(host, Register(1)), "SHA-256");
        host.Time.Advance(TimeSpan.FromMinutes(6));
        var auth = DigestClient.Authorization(challenge, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        var stale = await SendAsync(host, Register(2, auth));
        Assert.Equal(401, stale.StatusCode);
        Assert.All(stale.Headers.GetAll(SipHeaderNames.WwwAuthenticate), c => Assert.Contains("stale=true", c));
    }

    [Fact]
    public async Task A_forged_nonce_is_refused()
    {
        await using var host = await SipTestHost.StartAsync();
        var forged = "Digest realm=\"talko.test\", nonce=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", algorithm=MD5, qop=\"auth\"";
        var auth = DigestClient.Authorization(forged, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        Assert.Equal(403, (await SendAsync(host, Register(2, auth))).StatusCode);
    }

    [Fact]
    public async Task Repeated_failures_from_one_source_are_blocked_even_with_the_right_password()
    {
        await using var host = await SipTestHost.StartAsync(o => o.Digest.MaxFailuresPerSource = 3);
        var challenge = Challenge(await SendAsync(host, Register(1)), "MD5");
        for (var i = 0; i < 3; i++)
        {
            var bad = DigestClient.Authorization(challenge, "REGISTER", RequestUri, SipTestHost.Username, "guess" + i, nc: i + 1);
            Assert.Equal(403, (await SendAsync(host, Register(10 + i, bad))).StatusCode);
        }
        var good = DigestClient.Authorization(challenge, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password, nc: 10);
        Assert.Equal(403, (await SendAsync(host, Register(20, good))).StatusCode);
        host.Time.Advance(TimeSpan.FromMinutes(5.1));
        var fresh = Challenge(await SendAsync(host, Register(21)), "MD5");
        var after = DigestClient.Authorization(fresh, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        Assert.Equal(200, (await SendAsync(host, Register(22, after))).StatusCode);
    }

    [Fact]
    public async Task A_user_cannot_register_someone_elses_address()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = Challenge(await SendAsync(host, Register(1, user: "bob")), "MD5");
        var auth = DigestClient.Authorization(challenge, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        Assert.Equal(403, (await SendAsync(host, Register(2, auth, user: "bob"))).StatusCode);
    }

    [Fact]
    public async Task Too_short_expiry_gets_423_and_wildcard_removes_all()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = Challenge(await SendAsync(host, Register(1)), "SHA-256");
        var nc = 0;
        string Auth() => DigestClient.Authorization(challenge, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password, nc: ++nc);

        var brief = await SendAsync(host, Register(2, Auth(), expires: "10"));
        Assert.Equal(423, brief.StatusCode);
        Assert.Equal("60", brief.Headers.Get(SipHeaderNames.MinExpires));

        Assert.Equal(200, (await SendAsync(host, Register(3, Auth()))).StatusCode);
        Assert.Equal(200, (await SendAsync(host, Register(4, Auth(), contact: "<sip:alice@192.0.2.11:5070>;expires=120"))).StatusCode);
        Assert.Equal(2, (await host.Bindings.GetAsync("sip:alice@127.0.0.1")).Count);

        Assert.Equal(400, (await SendAsync(host, Register(5, Auth(), contact: "*", expires: "30"))).StatusCode);
        Assert.Equal(200, (await SendAsync(host, Register(6, Auth(), contact: "*", expires: "0"))).StatusCode);
        Assert.Empty(await host.Bindings.GetAsync("sip:alice@127.0.0.1"));
    }
}
