using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Accounts;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Codes;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Tests.Infrastructure;

/// <summary>A signed-in test user: an HttpClient carrying its access token, and what identifies it.</summary>
public sealed record TestUser(HttpClient Client, Guid UserId, Guid DeviceId, AuthTokens Tokens, SipCredentials Sip, string Identifier) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

/// <summary>
/// Signing users up and in against a <see cref="TalkoHost"/> (whose codes a <see cref="CapturingCodeSender"/>
/// keeps): <c>using var alice = await host.SignUpAsync("alice@example.com");</c> then <c>alice.Client</c>.
/// </summary>
public static class AccountsTestExtensions
{
    public static CapturingCodeSender Codes(this TalkoHost host) => (CapturingCodeSender)host.Services.GetRequiredService<IVerificationCodeSender>();

    /// <summary>
    /// Starts and verifies a code for <paramref name="identifier"/>: registers the account the first time,
    /// signs a new device in after that. Optionally sets the display name.
    /// </summary>
    public static async Task<TestUser> SignUpAsync(
        this TalkoHost host, string identifier, string? displayName = null, string? region = null, DevicePlatform platform = DevicePlatform.Web, string deviceName = "test device")
    {
        var anonymous = host.CreateClient();
        var verified = await host.VerifyAsync(anonymous, identifier, region, new DeviceRegistration(platform, deviceName, null));
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", verified.Tokens.AccessToken);
        if (displayName is not null)
        {
            (await anonymous.PatchAsJsonAsync("/v1/me", new UpdateMeRequest(displayName, null)).WaitAsync(TestTimeouts.Default)).EnsureSuccessStatusCode();
        }

        return new TestUser(anonymous, verified.UserId, verified.DeviceId, verified.Tokens, verified.Sip, identifier);
    }

    /// <summary>auth/start then auth/verify with the captured code; fails the test on any error answer.</summary>
    public static async Task<VerifyResponse> VerifyAsync(this TalkoHost host, HttpClient client, string identifier, string? region, DeviceRegistration device)
    {
        var start = await client.PostAsJsonAsync("/v1/auth/start", new StartRequest(identifier, region)).WaitAsync(TestTimeouts.Default);
        Assert.True(start.IsSuccessStatusCode, $"auth/start: {(int)start.StatusCode} {await start.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)}");
        var code = host.Codes().LastCodeFor(Normalize(identifier, region));
        var verify = await client.PostAsJsonAsync("/v1/auth/verify", new VerifyRequest(identifier, region, code, device)).WaitAsync(TestTimeouts.Default);
        Assert.True(verify.IsSuccessStatusCode, $"auth/verify: {(int)verify.StatusCode} {await verify.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)}");
        return (await verify.Content.ReadFromJsonAsync<VerifyResponse>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!;
    }

    /// <summary>A client sending <paramref name="accessToken"/> as its bearer token.</summary>
    public static HttpClient CreateClient(this TalkoHost host, string accessToken)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public static string Normalize(string identifier, string? region = null) =>
        new IdentifierNormalizer().Normalize(identifier, region)?.Value ?? throw new ArgumentException($"'{identifier}' is not a valid identifier.", nameof(identifier));
}
