using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
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
        using var phone = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var registrar = new IPEndPoint(IPAddress.Loopback, sipPortB);

        Assert.Equal(200, await RegisterAsync(phone, registrar, kim.Sip.Username, kim.Sip.Secret!));
        var cache = b.Services.GetRequiredService<SipCredentialCache>();
        Assert.True(cache.TryGet(kim.Sip.Username, out var cached), "B cached the device's credentials");
        Assert.Equal(kim.DeviceId, cached!.DeviceId);

        var rotated = await kim.Client.PostAsJsonAsync($"/v1/me/devices/{kim.DeviceId}/sip-credentials", new { }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var secret = (await rotated.Content.ReadFromJsonAsync<SipCredentials>(TalkoJson.Options).WaitAsync(TestTimeouts.Default))!.Secret!;
        await TestTimeouts.EventuallyAsync(
            () => RegisterAsync(phone, registrar, kim.Sip.Username, kim.Sip.Secret!), status => status == 403, TestTimeouts.Default, "B to refuse the old secret");
        Assert.Equal(200, await RegisterAsync(phone, registrar, kim.Sip.Username, secret));

        var removed = await kim.Client.DeleteAsync($"/v1/me/devices/{kim.DeviceId}").WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await TestTimeouts.EventuallyAsync(
            () => RegisterAsync(phone, registrar, kim.Sip.Username, secret), status => status == 403, TestTimeouts.Default, "B to refuse the removed device");
        Assert.False(cache.TryGet(kim.Sip.Username, out _));
    }

    /// <summary>REGISTER, answer the MD5 challenge with <paramref name="secret"/>, return the final status.</summary>
    private static async Task<int> RegisterAsync(UdpClient phone, IPEndPoint registrar, string username, string secret)
    {
        var (status, challenge) = await SendAsync(phone, registrar, Register(phone, username, null));
        Assert.Equal(401, status);
        var authorization = DigestClient.Authorization(challenge!, "REGISTER", "sip:127.0.0.1", username, secret);
        return (await SendAsync(phone, registrar, Register(phone, username, authorization))).Status;
    }

    private static string Register(UdpClient phone, string username, string? authorization)
    {
        var port = ((IPEndPoint)phone.Client.LocalEndPoint!).Port;
        var text = new StringBuilder()
            .Append("REGISTER sip:127.0.0.1 SIP/2.0\r\n")
            .Append($"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{Guid.NewGuid():N};rport\r\n")
            .Append("Max-Forwards: 70\r\n")
            .Append($"From: <sip:{username}@127.0.0.1>;tag=p1\r\n")
            .Append($"To: <sip:{username}@127.0.0.1>\r\n")
            .Append($"Call-ID: {username}-registration\r\n")
            .Append($"CSeq: {Interlocked.Increment(ref cseq)} REGISTER\r\n")
            .Append($"Contact: <sip:{username}@127.0.0.1:{port}>\r\n")
            .Append("Expires: 600\r\n");
        if (authorization is not null)
        {
            text.Append($"Authorization: {authorization}\r\n");
        }

        return text.Append("Content-Length: 0\r\n\r\n").ToString();
    }

    private static int cseq;

    /// <summary>Sends one request and reads its final response: the status and the MD5 challenge, if any.</summary>
    private static async Task<(int Status, string? Challenge)> SendAsync(UdpClient phone, IPEndPoint registrar, string request)
    {
        await phone.SendAsync(Encoding.UTF8.GetBytes(request), registrar);
        while (true)
        {
            var received = await phone.ReceiveAsync().WaitAsync(TestTimeouts.Default);
            var lines = Encoding.UTF8.GetString(received.Buffer).Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            if (status >= 200)
            {
                var challenge = lines.FirstOrDefault(l => l.StartsWith("WWW-Authenticate:", StringComparison.OrdinalIgnoreCase) && l.Contains("MD5", StringComparison.Ordinal));
                return (status, challenge?[(challenge.IndexOf(':') + 1)..].Trim());
            }
        }
    }
}
