using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Talko.Server.Features.Accounts;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>
/// The SIP registrar caches device credentials (ADR 0207); a rotated secret or a removed device must still be refused
/// at once on another instance. The cache lifetime here is an hour, so only the announcement over Redis can make B
/// refuse: a phone REGISTERs on B, the secret is rotated and then the device removed through A, and B answers 403 (wrong password or unknown user, as the registrar answers any failed digest).
/// </summary>
public sealed class SipCredentialInvalidationTests(PostgresFixture postgres, RedisFixture redis)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly CallInstances instances = new(postgres, redis, "sip-credentials");
    private TalkoHost a = null!;
    private TalkoHost b = null!;
    private int sipPortB;

    public Task InitializeAsync()
    {
        static void LongCache(Dictionary<string, string?> s) => s["Talko:Accounts:SipCredentialCacheDuration"] = "01:00:00";
        (a, _) = instances.StartHost("sip-credentials-a", LongCache);
        (b, sipPortB) = instances.StartHost("sip-credentials-b", LongCache);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task A_rotated_secret_and_a_removed_device_are_refused_at_once_by_another_instance_that_cached_them()
    {
        using var kim = await a.SignUpAsync($"kim-{Guid.NewGuid():N}@example.com");
        using var phone = new UdpRegisteringPhone(new IPEndPoint(IPAddress.Loopback, sipPortB), kim.Sip.Username);
        async Task<int> RegisterAsync(string secret) => (await phone.RegisterAsync(secret)).StatusCode;

        Assert.Equal(200, await RegisterAsync(kim.Sip.Secret!));
        var cache = b.Services.GetRequiredService<SipCredentialCache>();
        Assert.True(cache.TryGet(kim.Sip.Username, out var cached), "B cached the device's credentials");
        Assert.Equal(kim.DeviceId, cached!.DeviceId);

        var rotated = await kim.Client.PostAsJsonAsync($"/v1/me/devices/{kim.DeviceId}/sip-credentials", new { }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var secret = (await rotated.Content.ReadFromJsonAsync<SipCredentials>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!.Secret!;
        await TestTimeouts.EventuallyAsync(
            () => RegisterAsync(kim.Sip.Secret!), status => status == 403, TestTimeouts.Default, "B to refuse the old secret");
        Assert.Equal(200, await RegisterAsync(secret));

        var removed = await kim.Client.DeleteAsync($"/v1/me/devices/{kim.DeviceId}").WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await TestTimeouts.EventuallyAsync(
            () => RegisterAsync(secret), status => status == 403, TestTimeouts.Default, "B to refuse the removed device");
        Assert.False(cache.TryGet(kim.Sip.Username, out _));
    }
}
