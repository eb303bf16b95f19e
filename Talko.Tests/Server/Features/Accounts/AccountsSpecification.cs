using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Accounts;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>Accounts end to end over HTTP, run against the embedded mode and against PostgreSQL with Redis.</summary>
public abstract class AccountsSpecification(AccountsHostFixture fixture)
{
    private static readonly DeviceRegistration Phone = new(DevicePlatform.Android, "Pixel", "push-token-1");

    protected TalkoHost Host => fixture.Host;

    protected static string NewEmail(string name = "user") => $"{name}-{Guid.NewGuid():N}@example.com";

    /// <summary>A fresh valid UK mobile number, international form.</summary>
    protected static string NewUkMobile()
    {
        var normalizer = new IdentifierNormalizer();
        while (true)
        {
            var number = $"+447911{RandomNumberGenerator.GetInt32(0, 1_000_000):D6}";
            if (normalizer.Normalize(number, null) is not null)
            {
                return number;
            }
        }
    }

    [Fact]
    public async Task Registration_then_sign_in_on_a_second_device_reach_the_same_account()
    {
        var email = NewEmail("alice");
        using var client = Host.CreateClient();

        var first = await Host.VerifyAsync(client, email, null, Phone);
        var second = await Host.VerifyAsync(client, "  " + email.ToUpperInvariant() + " ", null, new DeviceRegistration(DevicePlatform.Web, "Browser", null));

        Assert.True(first.NewAccount);
        Assert.False(second.NewAccount);
        Assert.Equal(first.UserId, second.UserId);
        Assert.NotEqual(first.DeviceId, second.DeviceId);

        using var alice = Host.CreateClient(second.Tokens.AccessToken);
        var me = await GetJsonAsync<MeResponse>(alice, "/v1/me");
        Assert.Equal(first.UserId, me.UserId);
        Assert.True(me.Discoverable);
        var identifier = Assert.Single(me.Identifiers);
        Assert.Equal(IdentifierKind.Email, identifier.Kind);
        Assert.DoesNotContain(email.Split('@')[0], identifier.Hint, StringComparison.Ordinal);

        var devices = await GetJsonAsync<List<DeviceView>>(alice, "/v1/me/devices");
        Assert.Equal(new[] { first.DeviceId, second.DeviceId }.Order(), devices.Select(d => d.Id).Order());
        Assert.True(devices.Single(d => d.Id == second.DeviceId).Current);
        Assert.True(devices.Single(d => d.Id == first.DeviceId).HasPushToken);
    }

    [Fact]
    public async Task Profile_changes_are_validated_and_kept()
    {
        using var bob = await Host.SignUpAsync(NewEmail("bob"));

        var tooLong = await bob.Client.PatchAsJsonAsync("/v1/me", new UpdateMeRequest(new string('x', 65), null)).WaitAsync(TestTimeouts.Default);
        await AssertValidationProblemAsync(tooLong, "displayName");

        var updated = await bob.Client.PatchAsJsonAsync("/v1/me", new UpdateMeRequest("  Bob Builder ", false)).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var me = await GetJsonAsync<MeResponse>(bob.Client, "/v1/me");
        Assert.Equal("Bob Builder", me.DisplayName);
        Assert.False(me.Discoverable);
    }

    [Fact]
    public async Task A_wrong_code_is_refused_with_the_attempts_left()
    {
        var email = NewEmail();
        using var client = Host.CreateClient();
        await PostAsync(client, "/v1/auth/start", new StartRequest(email, null));
        var code = Host.Codes().LastCodeFor(email);

        var wrong = await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, OtherCode(code), Phone));

        var problem = await AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "wrong_code");
        Assert.Equal(4, problem.GetProperty("attemptsLeft").GetInt32());
        var right = await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, code, Phone));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var reused = await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, code, Phone));
        await AssertProblemAsync(reused, HttpStatusCode.BadRequest, "expired_code");
    }

    [Fact]
    public async Task Five_wrong_attempts_lock_the_code_even_against_the_right_one()
    {
        var email = NewEmail();
        using var client = Host.CreateClient();
        await PostAsync(client, "/v1/auth/start", new StartRequest(email, null));
        var code = Host.Codes().LastCodeFor(email);

        var reasons = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var response = await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, OtherCode(code), Phone));
            reasons.Add((await ReadProblemAsync(response)).GetProperty("reason").GetString()!);
        }

        Assert.Equal(["wrong_code", "wrong_code", "wrong_code", "wrong_code", "too_many_attempts"], reasons);
        var right = await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, code, Phone));
        await AssertProblemAsync(right, HttpStatusCode.BadRequest, "too_many_attempts");

        // A new code works again.
        await PostAsync(client, "/v1/auth/start", new StartRequest(email, null));
        var fresh = await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, Host.Codes().LastCodeFor(email), Phone));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task A_code_expires_after_ten_minutes()
    {
        var email = NewEmail();
        using var client = Host.CreateClient();
        await PostAsync(client, "/v1/auth/start", new StartRequest(email, null));
        var code = Host.Codes().LastCodeFor(email);

        fixture.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        var late = await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, code, Phone));
        await AssertProblemAsync(late, HttpStatusCode.BadRequest, "expired_code");
    }

    [Fact]
    public async Task Start_answers_identically_for_known_and_unknown_identifiers()
    {
        using var known = await Host.SignUpAsync(NewEmail("known"));
        using var client = Host.CreateClient();

        var forKnown = await PostAsync(client, "/v1/auth/start", new StartRequest(known.Identifier, null));
        var forUnknown = await PostAsync(client, "/v1/auth/start", new StartRequest(NewEmail("unknown"), null));

        Assert.Equal(HttpStatusCode.Accepted, forKnown.StatusCode);
        Assert.Equal(forKnown.StatusCode, forUnknown.StatusCode);
        Assert.Equal(await forKnown.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default), await forUnknown.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default));
        Assert.Equal(forKnown.Content.Headers.ContentType, forUnknown.Content.Headers.ContentType);
        Assert.Equal(
            forKnown.Headers.Select(h => h.Key).Where(k => k != "Date").Order(),
            forUnknown.Headers.Select(h => h.Key).Where(k => k != "Date").Order());
    }

    [Fact]
    public async Task Malformed_identifiers_and_codes_get_validation_problems()
    {
        using var client = Host.CreateClient();

        await AssertValidationProblemAsync(await PostAsync(client, "/v1/auth/start", new StartRequest("not an address", null)), "identifier");
        await AssertValidationProblemAsync(await PostAsync(client, "/v1/auth/start", new StartRequest("07911 123456", null)), "identifier");
        await AssertValidationProblemAsync(await PostAsync(client, "/v1/auth/start", new StartRequest("07911 123456", "XX")), "identifier");
        await AssertValidationProblemAsync(await PostAsync(client, "/v1/auth/verify", new VerifyRequest(NewEmail(), null, "12ab56", Phone)), "code");
        await AssertValidationProblemAsync(await PostAsync(client, "/v1/auth/verify", new VerifyRequest(NewEmail(), null, "123456", null)), "device");
        var badJson = await client.PostAsync("/v1/auth/start", new StringContent("{", Encoding.UTF8, "application/json")).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
    }

    [Fact]
    public async Task A_stranger_asking_for_codes_cannot_lock_the_owner_out_or_learn_when_the_owner_asked()
    {
        var host = fixture.CreateHost(new Dictionary<string, string?>
        {
            ["Talko:Accounts:CodeResendCooldown"] = "00:00:30",
            ["Talko:Accounts:CodeRequestsPerRequesterAndIdentifier"] = "5",
            ["Talko:Accounts:CodeRequestsPerRequester"] = "20",
        });
        var victim = NewEmail("victim");
        var sentBefore = host.Codes().Sent;
        using var attacker = host.CreateClient().From("198.51.100.66");
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await PostAsync(attacker, "/v1/auth/start", new StartRequest(victim, null)));
        }

        Assert.All(answers.Take(5), answer => Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode));
        // The sixth is refused for the attacker's own address: it learns only about its own requests.
        await AssertProblemAsync(answers[5], (HttpStatusCode)429, "rate_limited");
        Assert.True(answers[5].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        // The cool-down spared the victim's inbox: one code went out for six requests.
        Assert.Equal(sentBefore + 1, host.Codes().Sent);

        // The owner, from their own address, is answered exactly as if nobody had asked, and signs in with the code they got.
        using var owner = host.CreateClient().From("203.0.113.7");
        var ownerAnswer = await PostAsync(owner, "/v1/auth/start", new StartRequest(victim, null));
        Assert.Equal(HttpStatusCode.Accepted, ownerAnswer.StatusCode);
        Assert.Null(ownerAnswer.Headers.RetryAfter);
        using var fresh = host.CreateClient().From("203.0.113.8");
        var untouched = await PostAsync(fresh, "/v1/auth/start", new StartRequest(NewEmail("nobody"), null));
        Assert.Equal(await untouched.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default), await ownerAnswer.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default));
        var code = host.Codes().LastCodeFor(victim);
        var verify = await PostAsync(owner, "/v1/auth/verify", new VerifyRequest(victim, null, code, Phone));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Fact]
    public async Task A_second_device_signing_in_right_after_the_first_gets_a_code_despite_the_cool_down()
    {
        var host = fixture.CreateHost(new Dictionary<string, string?> { ["Talko:Accounts:CodeResendCooldown"] = "00:05:00" });
        var email = NewEmail();
        using var phone = host.CreateClient().From("203.0.113.20");
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(phone, "/v1/auth/start", new StartRequest(email, null))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(phone, "/v1/auth/verify", new VerifyRequest(email, null, host.Codes().LastCodeFor(email), Phone))).StatusCode);
        var sentBefore = host.Codes().Sent;

        // The first code is used up, so the cool-down has nothing to protect: withholding would lock the tablet out.
        using var tablet = host.CreateClient().From("203.0.113.20");
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(tablet, "/v1/auth/start", new StartRequest(email, null))).StatusCode);
        Assert.Equal(sentBefore + 1, host.Codes().Sent);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(tablet, "/v1/auth/verify", new VerifyRequest(email, null, host.Codes().LastCodeFor(email), Phone))).StatusCode);

        // With a usable code outstanding, the cool-down holds again.
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(tablet, "/v1/auth/start", new StartRequest(email, null))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(tablet, "/v1/auth/start", new StartRequest(email, null))).StatusCode);
        Assert.Equal(sentBefore + 2, host.Codes().Sent);
    }

    [Fact]
    public async Task A_new_code_does_not_void_the_one_sent_before_and_a_used_code_retires_the_others()
    {
        var email = NewEmail();
        using var client = Host.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "/v1/auth/start", new StartRequest(email, null))).StatusCode);
        var first = Host.Codes().LastCodeFor(email);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "/v1/auth/start", new StartRequest(email, null))).StatusCode);
        var second = Host.Codes().LastCodeFor(email);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, first, Phone))).StatusCode);
        if (second != first)
        {
            await AssertProblemAsync(await PostAsync(client, "/v1/auth/verify", new VerifyRequest(email, null, second, Phone)), HttpStatusCode.BadRequest, "expired_code");
        }
    }

    [Fact]
    public async Task Codes_per_address_are_limited_across_identifiers_and_other_addresses_are_unaffected()
    {
        var host = fixture.CreateHost(new Dictionary<string, string?> { ["Talko:Accounts:CodeRequestsPerRequester"] = "3" });
        using var busy = host.CreateClient().From("198.51.100.1");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(busy, "/v1/auth/start", new StartRequest(NewEmail(), null))).StatusCode);
        }

        await AssertProblemAsync(await PostAsync(busy, "/v1/auth/start", new StartRequest(NewEmail(), null)), (HttpStatusCode)429, "rate_limited");
        using var other = host.CreateClient().From("198.51.100.2");
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(other, "/v1/auth/start", new StartRequest(NewEmail(), null))).StatusCode);
    }

    [Fact]
    public async Task Deleting_another_users_device_answers_404_and_leaves_that_device_signed_in()
    {
        using var mallory = await Host.SignUpAsync(NewEmail("mallory"));
        using var victim = await Host.SignUpAsync(NewEmail("victim"));

        await AssertProblemAsync(await mallory.Client.DeleteAsync($"/v1/me/devices/{victim.DeviceId}").WaitAsync(TestTimeouts.Default), HttpStatusCode.NotFound, "not_found");

        Assert.Equal(HttpStatusCode.OK, (await victim.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        using var anonymous = Host.CreateClient();
        var refreshed = await PostAsync(anonymous, "/v1/auth/refresh", new RefreshRequest(victim.Tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var tokens = (await refreshed.Content.ReadFromJsonAsync<RefreshResponse>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!;
        using var renewed = Host.CreateClient(tokens.Tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
    }

    [Fact]
    public async Task Refresh_rotates_and_reusing_a_spent_token_revokes_the_family()
    {
        using var carol = await Host.SignUpAsync(NewEmail("carol"));
        using var client = Host.CreateClient();

        var first = await PostAsync(client, "/v1/auth/refresh", new RefreshRequest(carol.Tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = (await first.Content.ReadFromJsonAsync<RefreshResponse>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!;
        Assert.NotEqual(carol.Tokens.RefreshToken, rotated.Tokens.RefreshToken);
        Assert.Equal(carol.DeviceId, rotated.DeviceId);
        using (var renewed = Host.CreateClient(rotated.Tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        }

        var replay = await PostAsync(client, "/v1/auth/refresh", new RefreshRequest(carol.Tokens.RefreshToken));
        await AssertProblemAsync(replay, HttpStatusCode.Unauthorized, "invalid_refresh_token");

        var afterReplay = await PostAsync(client, "/v1/auth/refresh", new RefreshRequest(rotated.Tokens.RefreshToken));
        await AssertProblemAsync(afterReplay, HttpStatusCode.Unauthorized, "invalid_refresh_token");
        using var revoked = Host.CreateClient(rotated.Tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await carol.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
    }

    [Fact]
    public async Task A_deleted_devices_access_token_is_refused_at_once()
    {
        var email = NewEmail("dave");
        using var laptop = await Host.SignUpAsync(email);
        using var phone = await Host.SignUpAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await phone.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);

        var deleted = await laptop.Client.DeleteAsync($"/v1/me/devices/{phone.DeviceId}").WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        var refresh = await PostAsync(Host.CreateClient(), "/v1/auth/refresh", new RefreshRequest(phone.Tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laptop.Client.DeleteAsync($"/v1/me/devices/{phone.DeviceId}").WaitAsync(TestTimeouts.Default)).StatusCode);
    }

    [Fact]
    public async Task Logout_ends_this_device_only()
    {
        var email = NewEmail("erin");
        using var laptop = await Host.SignUpAsync(email);
        using var phone = await Host.SignUpAsync(email);

        Assert.Equal(HttpStatusCode.NoContent, (await phone.Client.PostAsync("/v1/auth/logout", null).WaitAsync(TestTimeouts.Default)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        var devices = await GetJsonAsync<List<DeviceView>>(laptop.Client, "/v1/me/devices");
        Assert.Equal(laptop.DeviceId, Assert.Single(devices).Id);
    }

    [Fact]
    public async Task An_expired_access_token_is_refused_and_refresh_gives_a_working_one()
    {
        using var frank = await Host.SignUpAsync(NewEmail("frank"));
        fixture.Time.Advance(TimeSpan.FromMinutes(16));

        Assert.Equal(HttpStatusCode.Unauthorized, (await frank.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        var refreshed = await PostAsync(Host.CreateClient(), "/v1/auth/refresh", new RefreshRequest(frank.Tokens.RefreshToken));
        var tokens = (await refreshed.Content.ReadFromJsonAsync<RefreshResponse>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!.Tokens;
        using var renewed = Host.CreateClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
    }

    [Fact]
    public async Task National_and_international_phone_formats_reach_the_same_user()
    {
        var international = NewUkMobile();
        var national = "0" + international[3..6] + " " + international[6..];
        using var grace = await Host.SignUpAsync(national, displayName: "Grace", region: "gb");
        using var seeker = await Host.SignUpAsync(NewEmail("seeker"));

        using var client = Host.CreateClient();
        var again = await Host.VerifyAsync(client, international, null, Phone);
        Assert.Equal(grace.UserId, again.UserId);

        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(international)));
        var matches = await MatchAsync(seeker.Client, "GB",
            new ContactEntry("national", national, null),
            new ContactEntry("international", international, null),
            new ContactEntry("spaced", $"+44 {international[3..7]} {international[7..]}", null),
            new ContactEntry("idd", "0044" + international[3..], null),
            new ContactEntry("hashed", null, digest.ToUpperInvariant()),
            new ContactEntry("stranger", "+447911000000", null));

        Assert.Equal(["hashed", "idd", "international", "national", "spaced"], matches.Select(m => m.ClientRef).Order());
        Assert.All(matches, m => Assert.Equal(grace.UserId, m.UserId));
        Assert.All(matches, m => Assert.Equal("Grace", m.DisplayName));
    }

    [Fact]
    public async Task Matching_never_returns_the_caller_nor_undiscoverable_users()
    {
        using var visible = await Host.SignUpAsync(NewEmail("visible"), displayName: "Visible");
        using var hidden = await Host.SignUpAsync(NewEmail("hidden"));
        using var seeker = await Host.SignUpAsync(NewEmail("seeker"));
        (await hidden.Client.PatchAsJsonAsync("/v1/me", new UpdateMeRequest(null, false)).WaitAsync(TestTimeouts.Default)).EnsureSuccessStatusCode();

        var matches = await MatchAsync(seeker.Client, null,
            new ContactEntry("v", visible.Identifier.ToUpperInvariant(), null),
            new ContactEntry("h", hidden.Identifier, null),
            new ContactEntry("me", seeker.Identifier, null));

        var match = Assert.Single(matches);
        Assert.Equal(("v", visible.UserId, "Visible"), (match.ClientRef, match.UserId, match.DisplayName));
    }

    [Fact]
    public async Task Oversized_or_malformed_match_requests_get_400_with_the_positions()
    {
        using var user = await Host.SignUpAsync(NewEmail());

        var tooMany = Enumerable.Range(0, 5001).Select(i => new ContactEntry($"r{i}", $"c{i}@example.com", null)).ToArray();
        var oversized = await PostAsync(user.Client, "/v1/contacts/match", new ContactMatchRequest(null, tooMany));
        var errors = await AssertValidationProblemAsync(oversized, "entries");
        Assert.True(errors.TryGetProperty("entries[5000]", out _));

        var malformed = await PostAsync(user.Client, "/v1/contacts/match", new ContactMatchRequest(null,
        [
            new ContactEntry("ok", "ok@example.com", null),
            new ContactEntry("bad", "not-a-number", null),
            new ContactEntry("both", "a@example.com", new string('a', 64)),
            new ContactEntry("short", null, "abc"),
            new ContactEntry("", "b@example.com", null),
        ]));
        errors = await AssertValidationProblemAsync(malformed, "entries[1].identifier");
        Assert.Equal(["entries[1].identifier", "entries[2]", "entries[3].sha256", "entries[4].ref"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task The_daily_match_quota_answers_429_with_retry_after()
    {
        using var user = await Host.SignUpAsync(NewEmail());
        var entries = Enumerable.Range(0, AccountsHostFixture.ContactQuota / 2).Select(i => new ContactEntry($"r{i}", $"q{i}@example.com", null)).ToArray();

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(user.Client, "/v1/contacts/match", new ContactMatchRequest(null, entries))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(user.Client, "/v1/contacts/match", new ContactMatchRequest(null, entries))).StatusCode);
        var over = await PostAsync(user.Client, "/v1/contacts/match", new ContactMatchRequest(null, entries[..1]));

        await AssertProblemAsync(over, (HttpStatusCode)429, "rate_limited");
        Assert.NotNull(over.Headers.RetryAfter?.Delta);
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        // Another user's quota is separate.
        using var other = await Host.SignUpAsync(NewEmail());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(other.Client, "/v1/contacts/match", new ContactMatchRequest(null, entries[..1]))).StatusCode);
    }

    [Fact]
    public async Task Every_endpoint_but_sign_in_and_signed_playback_refuses_requests_without_a_valid_token()
    {
        string[] anonymous = ["POST /v1/auth/start", "POST /v1/auth/verify", "POST /v1/auth/refresh"];
        // An <audio> element cannot send a bearer token: the recording's play URL carries a signature instead (ADR 0813),
        // and without a valid one it is refused as forbidden, whatever the Authorization header says.
        const string SignedPlayback = "GET /v1/calls/{callId:guid}/recording/play";
        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/v1/", StringComparison.Ordinal) && !raw.StartsWith("/v1/admin", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: e.RoutePattern.RawText!)))
            .ToList();
        Assert.Contains(("GET", "/v1/me/"), endpoints.Select(e => (e.Method, e.Path.EndsWith('/') ? e.Path : e.Path + "/")));
        Assert.True(endpoints.Count >= 14, $"found only {endpoints.Count} endpoints");
        Assert.Contains(("GET", "/v1/calls/{callId:guid}/recording/play"), endpoints);

        using var none = Host.CreateClient();
        using var forged = Host.CreateClient(ForgedToken());
        var wrong = new List<string>();
        foreach (var (method, pattern) in endpoints)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", Guid.NewGuid().ToString());
            foreach (var client in new[] { none, forged })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
                var status = (await client.SendAsync(request).WaitAsync(TestTimeouts.Default)).StatusCode;
                var endpoint = $"{method} {pattern}";
                var isAnonymous = anonymous.Contains(endpoint);
                if (endpoint == SignedPlayback ? status != HttpStatusCode.Forbidden : (status == HttpStatusCode.Unauthorized) == isAnonymous)
                {
                    wrong.Add($"{method} {pattern}: {(int)status}");
                }
            }
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public async Task A_second_identifier_is_verified_and_then_signs_in_to_the_same_account()
    {
        using var heidi = await Host.SignUpAsync(NewEmail("heidi"));
        var phone = NewUkMobile();

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(heidi.Client, "/v1/me/identifiers", new StartRequest(phone, null))).StatusCode);
        var wrong = await PostAsync(heidi.Client, "/v1/me/identifiers/verify", new AddIdentifierVerifyRequest(phone, null, OtherCode(Host.Codes().LastCodeFor(phone))));
        await AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "wrong_code");
        var added = await PostAsync(heidi.Client, "/v1/me/identifiers/verify", new AddIdentifierVerifyRequest(phone, null, Host.Codes().LastCodeFor(phone)));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);

        var me = await GetJsonAsync<MeResponse>(heidi.Client, "/v1/me");
        Assert.Equal([IdentifierKind.Email, IdentifierKind.Phone], me.Identifiers.Select(i => i.Kind).Order());
        using var viaPhone = await Host.SignUpAsync(phone);
        Assert.Equal(heidi.UserId, viaPhone.UserId);

        // Someone else cannot take it.
        using var ivan = await Host.SignUpAsync(NewEmail("ivan"));
        await PostAsync(ivan.Client, "/v1/me/identifiers", new StartRequest(phone, null));
        var taken = await PostAsync(ivan.Client, "/v1/me/identifiers/verify", new AddIdentifierVerifyRequest(phone, null, Host.Codes().LastCodeFor(phone)));
        await AssertProblemAsync(taken, HttpStatusCode.Conflict, "identifier_taken");

        // The last identifier cannot be removed; the others can.
        var phoneId = me.Identifiers.Single(i => i.Kind == IdentifierKind.Phone).Id;
        var emailId = me.Identifiers.Single(i => i.Kind == IdentifierKind.Email).Id;
        Assert.Equal(HttpStatusCode.NoContent, (await heidi.Client.DeleteAsync($"/v1/me/identifiers/{phoneId}").WaitAsync(TestTimeouts.Default)).StatusCode);
        await AssertProblemAsync(await heidi.Client.DeleteAsync($"/v1/me/identifiers/{emailId}").WaitAsync(TestTimeouts.Default), HttpStatusCode.Conflict, "last_identifier");
    }

    [Fact]
    public async Task Deleting_the_account_ends_its_sessions_and_frees_its_identifier()
    {
        var email = NewEmail("judy");
        using var judy = await Host.SignUpAsync(email, displayName: "Judy");
        using var other = await Host.SignUpAsync(email);
        using var seeker = await Host.SignUpAsync(NewEmail("seeker"));
        Assert.Single(await MatchAsync(seeker.Client, null, new ContactEntry("j", email, null)));

        Assert.Equal(HttpStatusCode.NoContent, (await judy.Client.DeleteAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await judy.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Host.CreateClient(), "/v1/auth/refresh", new RefreshRequest(other.Tokens.RefreshToken))).StatusCode);
        Assert.Empty(await MatchAsync(seeker.Client, null, new ContactEntry("j", email, null)));
        Assert.Null(await LookUpSipAsync(judy.Sip.Username));

        using var again = await Host.SignUpAsync(email);
        Assert.NotEqual(judy.UserId, again.UserId);
    }

    [Fact]
    public async Task Sip_credentials_are_issued_per_device_checkable_by_digest_and_rotated()
    {
        using var kim = await Host.SignUpAsync(NewEmail("kim"), platform: DevicePlatform.Sip, deviceName: "Desk phone");
        Assert.NotNull(kim.Sip.Secret);

        var stored = await LookUpSipAsync(kim.Sip.Username);
        Assert.NotNull(stored);
        Assert.Equal((kim.UserId, kim.DeviceId), (stored.UserId, stored.DeviceId));
        Assert.Equal(Md5Hex($"{kim.Sip.Username}:{kim.Sip.Realm}:{kim.Sip.Secret}"), stored.Ha1Md5);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{kim.Sip.Username}:{kim.Sip.Realm}:{kim.Sip.Secret}"))), stored.Ha1Sha256);

        var shown = await GetJsonAsync<SipCredentials>(kim.Client, $"/v1/me/devices/{kim.DeviceId}/sip-credentials");
        Assert.Equal((kim.Sip.Username, kim.Sip.Realm, (string?)null), (shown.Username, shown.Realm, shown.Secret));

        var rotatedResponse = await PostAsync(kim.Client, $"/v1/me/devices/{kim.DeviceId}/sip-credentials", new { });
        var rotated = (await rotatedResponse.Content.ReadFromJsonAsync<SipCredentials>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!;
        Assert.Equal(kim.Sip.Username, rotated.Username);
        Assert.NotEqual(kim.Sip.Secret, rotated.Secret);
        Assert.Equal(Md5Hex($"{rotated.Username}:{rotated.Realm}:{rotated.Secret}"), (await LookUpSipAsync(kim.Sip.Username))!.Ha1Md5);

        using var stranger = await Host.SignUpAsync(NewEmail());
        await AssertProblemAsync(await PostAsync(stranger.Client, $"/v1/me/devices/{kim.DeviceId}/sip-credentials", new { }), HttpStatusCode.NotFound, "not_found");
        Assert.Null(await LookUpSipAsync("no-such-user"));
    }

    protected async Task<SipDeviceCredential?> LookUpSipAsync(string username)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SipCredentialLookup>().FindAsync(username).WaitAsync(TestTimeouts.Default);
    }

    protected static async Task<List<ContactMatch>> MatchAsync(HttpClient client, string? region, params ContactEntry[] entries)
    {
        var response = await PostAsync(client, "/v1/contacts/match", new ContactMatchRequest(region, entries));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default));
        return [.. (await response.Content.ReadFromJsonAsync<ContactMatchResponse>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!.Matches];
    }

    protected static Task<HttpResponseMessage> PostAsync<T>(HttpClient client, string path, T body) =>
        client.PostAsJsonAsync(path, body).WaitAsync(TestTimeouts.Default);

    protected static async Task<T> GetJsonAsync<T>(HttpClient client, string path)
    {
        var response = await client.GetAsync(path).WaitAsync(TestTimeouts.Default);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)}");
        return (await response.Content.ReadFromJsonAsync<T>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!;
    }

    protected static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)).RootElement;
    }

    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await ReadProblemAsync(response);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        return problem;
    }

    /// <summary>Asserts a 400 ValidationProblem naming <paramref name="field"/>; returns its "errors".</summary>
    protected static async Task<JsonElement> AssertValidationProblemAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ReadProblemAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        return errors;
    }

    private static string OtherCode(string code) => ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A well-formed JWT signed with a key the server does not have.</summary>
    private static string ForgedToken()
    {
        var key = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "talko",
            Audience = "talko",
            Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["did"] = Guid.NewGuid().ToString() },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(key, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });
    }
}
