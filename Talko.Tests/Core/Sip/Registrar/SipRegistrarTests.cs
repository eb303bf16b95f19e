using Talko.Core.Sip.Messages;
using Talko.Tests.Infrastructure.Sip;
using static Talko.Tests.Infrastructure.Sip.SipText;

namespace Talko.Tests.Core.Sip.Registrar;

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
        if (expires is not null)
        {
            lines.Add($"Expires: {expires}");
        }

        if (authorization is not null)
        {
            lines.Add($"Authorization: {authorization}");
        }

        if (userAgent is not null)
        {
            lines.Add($"User-Agent: {userAgent}");
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

    private static string Challenge(SipResponse response, string algorithm)
    {
        Assert.True(response.StatusCode == 401, $"expected a 401 challenge, got {response.StatusCode} {response.ReasonPhrase}");
        return response.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Single(c => c.Contains("algorithm=" + algorithm, StringComparison.Ordinal));
    }

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
        Assert.Contains("algorithm=MD5", offered[0]); // first by default, for clients that read only the first (ADR 0162)
        Assert.Contains("algorithm=SHA-256", offered[1]);
        Assert.All(offered, c => Assert.Contains("qop=\"auth\"", c));

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
    public async Task Other_clients_get_MD5_then_SHA_256()
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = await SendAsync(host, Register(1, userAgent: "baresip v2.12.0 (x86_64/linux)"));
        var offered = challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).ToList();
        Assert.Equal(2, offered.Count);
        Assert.Contains("algorithm=MD5", offered[0], StringComparison.Ordinal);
        Assert.Contains("algorithm=SHA-256", offered[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SHA_256_comes_first_when_preferred()
    {
        await using var host = await SipTestHost.StartAsync(o => o.Digest.PreferSha256 = true);
        var challenge = await SendAsync(host, Register(1));
        var offered = challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).ToList();
        Assert.Equal(2, offered.Count);
        Assert.Contains("algorithm=SHA-256", offered[0], StringComparison.Ordinal);
        var auth = DigestClient.Authorization(offered[0], "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        Assert.Equal(200, (await SendAsync(host, Register(2, auth))).StatusCode);
    }

    [Theory]
    [InlineData("upper-case", 200)]
    [InlineData("one byte short", 403)]
    [InlineData("not hex", 403)]
    public async Task The_digest_response_is_hex_in_either_case_and_nothing_else(string form, int expectedStatus)
    {
        await using var host = await SipTestHost.StartAsync();
        var challenge = await SendAsync(host, Register(1));
        var auth = DigestClient.Authorization(Challenge(challenge, "MD5"), "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password);
        var response = DigestClient.Param(auth, "response");
        var altered = form switch
        {
            "upper-case" => response.ToUpperInvariant(),
            "one byte short" => response[..^2],
            _ => response[..^1] + "g",
        };
        Assert.Equal(expectedStatus, (await SendAsync(host, Register(2, auth.Replace(response, altered, StringComparison.Ordinal)))).StatusCode);
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

    /// <summary>
    /// The digest covers only the method and Request-URI: a captured Authorization header replayed with another Contact
    /// would register that address for the victim. Burning fresh nonces to push the victim's out of the bounded
    /// nonce-count table must not make the replay pass; the victim itself is only challenged again.
    /// </summary>
    [Fact]
    public async Task A_nonce_pushed_out_of_the_table_is_not_accepted_again()
    {
        await using var host = await SipTestHost.StartAsync(o => o.Digest.MaxTrackedNonces = 4);
        var victim = Challenge(await SendAsync(host, Register(1)), "MD5");
        var captured = DigestClient.Authorization(victim, "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password, nc: 1);
        Assert.Equal(200, (await SendAsync(host, Register(2, captured))).StatusCode);

        for (var i = 0; i < 4; i++)
        {
            var burnt = Challenge(await SendAsync(host, Register(1, user: "bob", callId: $"burn-{i}")), "MD5");
            var auth = DigestClient.Authorization(burnt, "REGISTER", RequestUri, "bob", "bobs-pw", nc: 1);
            Assert.Equal(200, (await SendAsync(host, Register(2, auth, user: "bob", callId: $"burn-{i}"))).StatusCode);
        }

        var replay = await SendAsync(host, Register(3, captured, contact: "<sip:alice@198.51.100.66:5060>"));
        Assert.Equal(401, replay.StatusCode);
        Assert.All(replay.Headers.GetAll(SipHeaderNames.WwwAuthenticate), c => Assert.Contains("stale=true", c));
        Assert.DoesNotContain(await host.Bindings.GetAsync("sip:alice@127.0.0.1"), b => b.ContactUri.Contains("198.51.100.66", StringComparison.Ordinal));

        var renewed = DigestClient.Authorization(Challenge(replay, "MD5"), "REGISTER", RequestUri, SipTestHost.Username, SipTestHost.Password, nc: 1);
        Assert.Equal(200, (await SendAsync(host, Register(4, renewed))).StatusCode);
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

    private static int nextCSeq = 1000;

    /// <summary>A fresh CSeq for every attempt: a repeated From tag, Call-ID and CSeq would be a merged request (482).</summary>
    private static int NextCSeq() => Interlocked.Increment(ref nextCSeq);

    private static async Task FailAsync(SipTestHost host, string user, int times, System.Net.IPEndPoint? from = null)
    {
        for (var i = 0; i < times; i++)
        {
            host.Channel.Clear();
            await host.Channel.InjectAsync(Register(NextCSeq(), user: user), from).WaitAsync(Timeout10s);
            var challenge = Challenge(Assert.Single(host.Channel.SentResponses()), "MD5");
            var bad = DigestClient.Authorization(challenge, "REGISTER", RequestUri, user, "guess" + i);
            host.Channel.Clear();
            await host.Channel.InjectAsync(Register(NextCSeq(), bad, user: user), from).WaitAsync(Timeout10s);
            Assert.Equal(403, Assert.Single(host.Channel.SentResponses()).StatusCode);
        }
    }

    private static async Task<int> RegisterWithPasswordAsync(SipTestHost host, string user, string password, System.Net.IPEndPoint? from = null)
    {
        host.Channel.Clear();
        await host.Channel.InjectAsync(Register(NextCSeq(), user: user), from).WaitAsync(Timeout10s);
        var challenge = Challenge(Assert.Single(host.Channel.SentResponses()), "MD5");
        var auth = DigestClient.Authorization(challenge, "REGISTER", RequestUri, user, password);
        host.Channel.Clear();
        await host.Channel.InjectAsync(Register(NextCSeq(), auth, user: user), from).WaitAsync(Timeout10s);
        return Assert.Single(host.Channel.SentResponses()).StatusCode;
    }

    /// <summary>Regression (issue 14): ten failures by one user blocked every user behind the same address (a NAT).</summary>
    [Fact]
    public async Task A_bad_password_from_one_user_does_not_lock_out_another_user_at_the_same_address()
    {
        await using var host = await SipTestHost.StartAsync();
        await FailAsync(host, "bob", 30);
        Assert.Equal(200, await RegisterWithPasswordAsync(host, SipTestHost.Username, SipTestHost.Password));
    }

    [Fact]
    public async Task Repeated_failures_for_one_user_from_one_address_block_that_pair_for_the_block_duration()
    {
        await using var host = await SipTestHost.StartAsync(o => o.Digest.MaxFailuresPerSourceAndUser = 3);
        await FailAsync(host, SipTestHost.Username, 3);
        Assert.Equal(403, await RegisterWithPasswordAsync(host, SipTestHost.Username, SipTestHost.Password));
        // The same user from another address, and another user from this one, are still checked.
        Assert.Equal(200, await RegisterWithPasswordAsync(host, SipTestHost.Username, SipTestHost.Password, new(System.Net.IPAddress.Parse("198.51.100.7"), 5060)));
        Assert.Equal(200, await RegisterWithPasswordAsync(host, "bob", "bobs-pw"));
        host.Time.Advance(TimeSpan.FromMinutes(5.1));
        Assert.Equal(200, await RegisterWithPasswordAsync(host, SipTestHost.Username, SipTestHost.Password));
    }

    [Fact]
    public async Task A_user_guessed_at_from_many_addresses_refuses_those_addresses_but_not_a_clean_one()
    {
        await using var host = await SipTestHost.StartAsync(o => o.Digest.MaxFailuresPerUser = 4);
        var attackers = Enumerable.Range(1, 4).Select(i => new System.Net.IPEndPoint(System.Net.IPAddress.Parse($"203.0.113.{i}"), 5060)).ToList();
        foreach (var attacker in attackers)
        {
            await FailAsync(host, "bob", 1, attacker);
        }

        Assert.Equal(403, await RegisterWithPasswordAsync(host, "bob", "bobs-pw", attackers[0]));
        Assert.Equal(200, await RegisterWithPasswordAsync(host, "bob", "bobs-pw"));
    }

    [Fact]
    public async Task An_address_over_its_ceiling_is_refused_for_new_users_but_spares_users_that_already_authenticated_there()
    {
        await using var host = await SipTestHost.StartAsync(o => o.Digest.MaxFailuresPerSource = 6);
        Assert.Equal(200, await RegisterWithPasswordAsync(host, "bob", "bobs-pw"));
        foreach (var user in new[] { "carol", "dave", "erin" })
        {
            await FailAsync(host, user, 2);
        }

        Assert.Equal(403, await RegisterWithPasswordAsync(host, SipTestHost.Username, SipTestHost.Password));
        Assert.Equal(200, await RegisterWithPasswordAsync(host, "bob", "bobs-pw"));
    }

    [Fact]
    public async Task An_address_over_its_ceiling_is_refused_for_everyone_when_known_users_are_not_spared()
    {
        await using var host = await SipTestHost.StartAsync(o =>
        {
            o.Digest.MaxFailuresPerSource = 6;
            o.Digest.SourceBlockSparesKnownUsers = false;
        });
        Assert.Equal(200, await RegisterWithPasswordAsync(host, "bob", "bobs-pw"));
        foreach (var user in new[] { "carol", "dave", "erin" })
        {
            await FailAsync(host, user, 2);
        }

        Assert.Equal(403, await RegisterWithPasswordAsync(host, "bob", "bobs-pw"));
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
