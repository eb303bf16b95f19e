using System.Net;
using System.Net.Http.Json;
using Talko.Server.Features.Accounts.Codes;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>The development mailbox shows the codes `dotnet run` would have sent, and does not exist outside Development.</summary>
public sealed class DevelopmentMailboxTests
{
    private static readonly Dictionary<string, string?> FreeSipPorts = new() { ["Talko:Sip:UdpPort"] = "0", ["Talko:Sip:TcpPort"] = "0" };

    [Fact]
    public async Task In_Development_the_code_sent_for_sign_in_is_in_the_mailbox_and_signs_in()
    {
        await using var server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = "Development", Settings = FreeSipPorts });
        using var client = server.CreateClient();
        var start = await client.PostAsJsonAsync("/v1/auth/start", new { identifier = "newcomer@example.com" }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);

        var messages = await client.GetFromJsonAsync<List<MailboxMessage>>(DevelopmentMailboxApi.Path).WaitAsync(TestTimeouts.Default);
        var message = Assert.Single(messages!);
        Assert.Equal("newcomer@example.com", message.To);
        var verify = await client.PostAsJsonAsync("/v1/auth/verify", new { identifier = "newcomer@example.com", code = message.Code, device = new { platform = "Web", name = "test" } }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Testing")]
    public async Task Outside_Development_there_is_no_mailbox(string environment)
    {
        await using var server = await TalkoProcess.StartAsync(TalkoHostOptions.Embedded() with { Environment = environment, Settings = FreeSipPorts });
        using var client = server.CreateClient();
        await client.PostAsJsonAsync("/v1/auth/start", new { identifier = "newcomer@example.com" }).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(DevelopmentMailboxApi.Path).WaitAsync(TestTimeouts.Default)).StatusCode);
    }
}
