using System.Text;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Sip.Messages;

/// <summary>
/// Via chains (issue 14): a request that crossed many proxies is legal up to <see cref="SipParserOptions.MaxViaValues"/>;
/// beyond it, and for a top Via that cannot be parsed, the sender gets a precise answer instead of silence.
/// </summary>
public sealed class ViaLimitTests
{
    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);

    /// <summary>An OPTIONS whose top Via is ours to answer, followed by <paramref name="proxies"/> Via values, some in comma lists.</summary>
    private static string OptionsThrough(int proxies, string topVia = "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKvia1;rport")
    {
        var lines = new List<string> { "OPTIONS sip:talko@127.0.0.1 SIP/2.0", $"Via: {topVia}" };
        for (var i = 0; i < proxies; i += 3)
        {
            var values = Enumerable.Range(i, Math.Min(3, proxies - i)).Select(n => $"SIP/2.0/UDP proxy{n}.example.org;branch=z9hG4bKp{n}");
            lines.Add("Via: " + string.Join(", ", values));
        }
        lines.AddRange(["Max-Forwards: 70", "From: <sip:probe@example.org>;tag=v1", "To: <sip:talko@127.0.0.1>", "Call-ID: via-chain", "CSeq: 1 OPTIONS", "Content-Length: 0"]);
        return SipText.Message([.. lines]);
    }

    private static int ViaCount(string response) =>
        response.Split("\r\n").Where(l => l.StartsWith("Via:", StringComparison.Ordinal)).Sum(l => l.Split(',').Length);

    /// <summary>Regression: more than 32 Via values got "400 malformed Via".</summary>
    [Fact]
    public async Task Seventy_one_vias_in_lines_and_lists_are_answered_200_with_every_via()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(OptionsThrough(70)).WaitAsync(Timeout10s);
        var (remote, data) = Assert.Single(host.Channel.Sent);
        var text = Encoding.UTF8.GetString(data);
        Assert.StartsWith("SIP/2.0 200 ", text, StringComparison.Ordinal);
        Assert.Equal(71, ViaCount(text));
        Assert.Equal(FakeSipChannel.Peer, remote);
    }

    [Fact]
    public async Task Beyond_the_bound_the_request_gets_483_with_a_reason_that_names_the_limit_and_every_via_back()
    {
        await using var host = await SipTestHost.StartAsync(o => o.Parser.MaxViaValues = 80);
        await host.Channel.InjectAsync(OptionsThrough(80)).WaitAsync(Timeout10s);
        var (remote, data) = Assert.Single(host.Channel.Sent);
        var text = Encoding.UTF8.GetString(data);
        Assert.StartsWith("SIP/2.0 483 Too Many Via Values (limit 80)\r\n", text, StringComparison.Ordinal);
        Assert.Equal(81, ViaCount(text));
        Assert.Equal(FakeSipChannel.Peer, remote);
        Assert.Contains("received=192.0.2.10", text.Split("\r\n")[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_bound_cannot_be_set_below_what_seventy_proxies_need()
    {
        var error = Assert.Throws<ArgumentException>(() => new SipParserOptions { MaxViaValues = 69 }.Validate());
        Assert.Contains("MaxViaValues", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Regression: a request whose top Via could not be parsed got no answer at all, even over TCP.</summary>
    [Theory]
    [InlineData(SipTransportProtocol.Tcp)]
    [InlineData(SipTransportProtocol.Udp)]
    public async Task An_unparsable_top_via_gets_400_back_where_the_request_came_from(SipTransportProtocol protocol)
    {
        await using var host = await SipTestHost.StartAsync(protocol: protocol);
        await host.Channel.InjectAsync(OptionsThrough(2, topVia: "SIP/2.0/UDP")).WaitAsync(Timeout10s);
        var (remote, data) = Assert.Single(host.Channel.Sent);
        var text = Encoding.UTF8.GetString(data);
        Assert.StartsWith("SIP/2.0 400 ", text, StringComparison.Ordinal);
        Assert.Contains("Via: SIP/2.0/UDP\r\n", text, StringComparison.Ordinal); // echoed as received
        Assert.Equal(3, ViaCount(text));
        Assert.Contains("Call-ID: via-chain", text, StringComparison.Ordinal);
        Assert.Equal(FakeSipChannel.Peer, remote);
        Assert.Equal(1, host.Engine.Transport.Stats.MalformedAnswered);
    }
}
