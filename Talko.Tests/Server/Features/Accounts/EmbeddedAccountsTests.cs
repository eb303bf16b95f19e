using System.Net;
using System.Net.Http.Json;
using Talko.Server.Features.Accounts;
using Talko.Server.Kernel;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>The accounts specification on the embedded mode (SQLite, in-process state).</summary>
public sealed class EmbeddedAccountsTests(EmbeddedAccountsFixture fixture) : AccountsSpecification(fixture), IClassFixture<EmbeddedAccountsFixture>
{
    [Fact]
    public async Task Auth_requests_are_limited_per_client_address()
    {
        var host = fixture.CreateHost(new Dictionary<string, string?> { ["Talko:Accounts:AuthRequestsPerIp"] = "3" });
        using var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/v1/auth/start", new StartRequest(NewEmail(), null)).WaitAsync(TestTimeouts.Default)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        var refused = await client.PostAsJsonAsync("/v1/auth/refresh", new RefreshRequest("x")).WaitAsync(TestTimeouts.Default);
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_generated_signing_key_is_kept_under_the_data_directory()
    {
        var host = fixture.CreateHost(new Dictionary<string, string?> { ["Talko:Auth:SigningKey"] = "", ["Talko:Accounts:IdentifierHashKey"] = "" });
        using var user = await host.SignUpAsync(NewEmail());

        var keyFile = Path.Combine(host.DataDirectory, "keys", "jwt-signing.key");
        Assert.True(File.Exists(keyFile));
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(keyFile).WaitAsync(TestTimeouts.Default)).Length);
        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "keys", "identifier-hash.key")));
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
    }
}
