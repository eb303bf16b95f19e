using System.Net;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>The accounts specification on real PostgreSQL and Redis, plus what needs two instances.</summary>
public sealed class ScaledOutAccountsTests(ScaledOutAccountsFixture fixture) : AccountsSpecification(fixture), IClassFixture<ScaledOutAccountsFixture>
{
    [Fact]
    public async Task A_device_deleted_on_one_instance_is_refused_at_once_by_another()
    {
        var other = fixture.CreateHost();
        var email = NewEmail("multi");
        using var laptop = await Host.SignUpAsync(email);
        using var phone = await Host.SignUpAsync(email);
        using var phoneOnOther = other.CreateClient(phone.Tokens.AccessToken);
        // The other instance has now checked (and cached) that the device exists.
        Assert.Equal(HttpStatusCode.OK, (await phoneOnOther.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await laptop.Client.DeleteAsync($"/v1/me/devices/{phone.DeviceId}").WaitAsync(TestTimeouts.Default)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await phoneOnOther.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
        using var laptopOnOther = other.CreateClient(laptop.Tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await laptopOnOther.GetAsync("/v1/me").WaitAsync(TestTimeouts.Default)).StatusCode);
    }
}
