using Talko.Core.Sip.Messages;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Sip.Messages;

/// <summary>RFC 4475 categories: valid messages parse; invalid ones are answered or dropped as the RFC says.</summary>
public sealed class SipTortureTests
{
    [Theory]
    [MemberData(nameof(TortureMessages.Valid), MemberType = typeof(TortureMessages))]
    public void Valid_messages_parse(string name, string text)
    {
        var result = SipMessageParser.Parse(text);
        Assert.True(result.Success, $"{name}: {result.Error}");
    }

    [Fact]
    public void Tortuous_invite_is_understood_field_by_field()
    {
        var request = (SipRequest)SipMessageParser.Parse(TortureMessages.TortuousInvite).Message!;
        Assert.Equal("INVITE", request.Method);
        Assert.Equal("1918181833n", request.To.Tag);
        Assert.Equal("98asjd8", request.From.Tag);
        Assert.Equal("J Rosenberg \\\"", request.From.DisplayName);
        Assert.Equal(68, request.MaxForwards);
        Assert.Equal(new SipCSeq(9, "INVITE"), request.CSeq);
        Assert.Equal(3, request.Vias.Count);
        Assert.Equal("192.0.2.2", request.TopVia.Host);
        Assert.Equal("z9hG4bK390skdjuw", request.TopVia.Branch);
        Assert.Equal("TCP", request.Vias[1].Transport);
        Assert.Equal("z9hG4bK30239", request.Vias[2].Branch);
        Assert.Equal("newfangled value continued newfangled value", request.Headers.Get("NewFangledHeader"));
        Assert.Equal("Quoted string \"\"", request.Contacts[0].DisplayName);
        Assert.Equal("0.33", request.Contacts[0].Parameters["q"]);
        Assert.Equal("newvalue", request.Contacts[0].Parameters["newparam"]);
        Assert.Single(request.Routes);
        Assert.True(request.Routes[0].Uri.Parameters.Contains("lr"));
        Assert.Equal("application/sdp", request.ContentType);
        Assert.StartsWith("v=0", System.Text.Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public void Escapes_and_user_part_parameters_are_kept_as_written()
    {
        var escaped = (SipRequest)SipMessageParser.Parse(TortureMessages.PercentEscaping).Message!;
        Assert.Equal("sips%3Auser%40example.com", escaped.Uri.User);
        var semi = (SipRequest)SipMessageParser.Parse(TortureMessages.SemicolonInUserPart).Message!;
        Assert.Equal("user;par=u%40example.net", semi.Uri.User);
        Assert.Equal("127.0.0.1", semi.Uri.Host);
        var nulls = (SipRequest)SipMessageParser.Parse(TortureMessages.EscapedNull).Message!;
        Assert.Equal(2, nulls.Contacts.Count);
    }

    [Fact]
    public void Trailing_octets_after_content_length_are_discarded()
    {
        var message = SipMessageParser.Parse(TortureMessages.ExtraTrailingOctets).Message!;
        Assert.Empty(message.Body);
    }

    [Fact]
    public void Responses_with_odd_reason_phrases_parse()
    {
        var unusual = (SipResponse)SipMessageParser.Parse(TortureMessages.UnusualReasonPhrase).Message!;
        Assert.Equal(200, unusual.StatusCode);
        Assert.Contains("\u0434\u0435\u0432\u044f\u0442\u044c", unusual.ReasonPhrase);
        var empty = (SipResponse)SipMessageParser.Parse(TortureMessages.EmptyReasonPhrase).Message!;
        Assert.Equal(100, empty.StatusCode);
        Assert.Equal("", empty.ReasonPhrase);
    }

    [Theory]
    [MemberData(nameof(TortureMessages.Answered), MemberType = typeof(TortureMessages))]
    public async Task Requests_get_the_status_the_rfc_asks_for(string name, int expectedStatus, string text)
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(text).WaitAsync(TimeSpan.FromSeconds(10));
        var finals = host.Channel.SentStatusCodes().Where(code => code >= 200).ToList();
        var status = Assert.Single(finals);
        Assert.True(expectedStatus == status, $"{name}: expected {expectedStatus}, got {status}");
        // The answer goes back where the request came from (received/rport stamped from the source).
        Assert.All(host.Channel.Sent, s => Assert.Equal(FakeSipChannel.Peer, s.Remote));
    }

    [Theory]
    [MemberData(nameof(TortureMessages.Dropped), MemberType = typeof(TortureMessages))]
    public async Task Messages_the_rfc_says_to_drop_get_no_answer(string name, string text)
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(text).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(host.Channel.Sent.Count == 0, $"{name}: something was sent");
    }

    [Fact]
    public async Task Unsupported_require_lists_the_unknown_tags()
    {
        await using var host = await SipTestHost.StartAsync();
        var text = TortureMessages.Answered().Single(a => ((string)a[0]).StartsWith("3.3.15", StringComparison.Ordinal))[2];
        await host.Channel.InjectAsync((string)text).WaitAsync(TimeSpan.FromSeconds(10));
        var response = Assert.Single(host.Channel.SentResponses(), r => r.StatusCode == 420);
        Assert.Equal("nothingSupportsThis, nothingSupportsThisEither", response.Headers.Get("Unsupported"));
    }
}
