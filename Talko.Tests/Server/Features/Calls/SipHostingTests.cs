using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Talko.Server.Sip;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>The hosted SIP engine in the embedded default: a taken port never stops the web app (ADR 0600).</summary>
public sealed class SipHostingTests
{
    [Fact]
    public async Task A_taken_SIP_port_falls_back_to_a_free_one_and_the_web_app_serves()
    {
        var port = FreePort.Find();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, port));
        await using var host = new TalkoHost(TalkoHostOptions.Embedded() with
        {
            Settings = new Dictionary<string, string?> { ["Talko:Sip:UdpPort"] = $"{port}", ["Talko:Sip:TcpPort"] = $"{port}" },
        });
        using var client = host.CreateClient();
        Assert.True((await client.GetAsync("/health/live").WaitAsync(TestTimeouts.Default)).IsSuccessStatusCode);
        var sip = host.Services.GetRequiredService<SipEngineHost>();
        Assert.NotNull(sip.Engine);
        Assert.StartsWith("127.0.0.1:", sip.SipAddress);
        Assert.NotEqual($"127.0.0.1:{port}", sip.SipAddress);
    }

    [Fact]
    public async Task Without_fallback_a_taken_port_leaves_the_instance_without_SIP_and_joining_answers_503()
    {
        var port = FreePort.Find();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, port));
        await using var host = new TalkoHost(TalkoHostOptions.Embedded() with
        {
            Settings = new Dictionary<string, string?>
            {
                ["Talko:Sip:UdpPort"] = $"{port}", ["Talko:Sip:TcpPort"] = $"{port}", ["Talko:Sip:FallbackToFreePort"] = "false",
            },
        });
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var group = await Talko.Tests.Server.Features.Conversations.ConversationsTestExtensions.CreateGroupAsync(alice.Client, "Crew");
        var conversation = await Talko.Tests.Server.Features.Conversations.ConversationsTestExtensions.CreateConversationAsync(alice.Client, group.Id, "Shift");
        Assert.Null(host.Services.GetRequiredService<SipEngineHost>().Engine);
        var call = await alice.Client.StartCallAsync(conversation.Id);
        using var join = await alice.Client.PostAsync($"/v1/calls/{call.Id}/join", null).WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, join.StatusCode);
    }
}
