using System.Text;
using Talko.Core.Sip.Messages;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Sip.Messages;

public sealed class SipMessageTests
{
    [Theory]
    [InlineData("sip:alice@example.com", "sip", "alice", "example.com", null)]
    [InlineData("sips:bob:pw@192.0.2.1:5061;transport=tcp", "sips", "bob", "192.0.2.1", 5061)]
    [InlineData("sip:[2001:db8::1]:5070;lr", "sip", null, "[2001:db8::1]", 5070)]
    [InlineData("tel:+1-201-555-0123;phone-context=example.com", "tel", "+1-201-555-0123", "", null)]
    public void Uris_parse_and_print_back(string text, string scheme, string? user, string host, int? port)
    {
        Assert.True(SipUri.TryParse(text, out var uri));
        Assert.Equal(scheme, uri.Scheme);
        Assert.Equal(user, uri.User);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
        Assert.Equal(text, uri.ToString());
    }

    [Theory]
    [InlineData("sip:")]
    [InlineData("sip:user@")]
    [InlineData("sip:user@host:99999")]
    [InlineData("sip:us er@host")]
    [InlineData("sip:a%zz@host")]
    [InlineData("sip:[::1")]
    [InlineData(":nothing")]
    public void Bad_uris_are_refused(string text) => Assert.False(SipUri.TryParse(text, out _));

    [Fact]
    public void Via_with_received_and_rport_round_trips()
    {
        Assert.True(SipVia.TryParse("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport=4444;received=192.0.2.7", out var via));
        Assert.Equal(4444, via.Rport);
        Assert.Equal("192.0.2.7", via.Received);
        Assert.True(via.HasRfc3261Branch);
        Assert.Equal("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport=4444;received=192.0.2.7", via.ToString());
    }

    [Fact]
    public void Several_values_in_one_header_and_across_headers_are_collected_in_order()
    {
        var text = SipText.Message(
            "REGISTER sip:127.0.0.1 SIP/2.0",
            "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2",
            "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3",
            "From: <sip:a@example.com>;tag=1",
            "To: <sip:a@example.com>",
            "Call-ID: multi",
            "CSeq: 1 REGISTER",
            "Contact: <sip:a@10.0.0.1>;expires=60, \"Comma, Inside\" <sip:a@10.0.0.2>",
            "m: <sip:a@10.0.0.3>",
            "Supported: path, outbound",
            "Supported: gruu",
            "l: 0");
        var message = SipMessageParser.Parse(text).Message!;
        Assert.Equal(["a.example.com", "b.example.com", "c.example.com"], message.Vias.Select(v => v.Host));
        Assert.Equal(3, message.Contacts.Count);
        Assert.Equal("Comma, Inside", message.Contacts[1].DisplayName);
        Assert.Equal(["path", "outbound", "gruu"], message.Headers.GetList("Supported"));
    }

    [Fact]
    public void Serialised_messages_parse_back_to_the_same_fields()
    {
        var request = new SipRequest(SipMethods.Invite, SipUri.Parse("sip:conf@127.0.0.1"))
        {
            From = new SipNameAddress(SipUri.Parse("sip:alice@example.com"), "Alice \"A\"") { Tag = "abc" },
            To = new SipNameAddress(SipUri.Parse("sip:conf@127.0.0.1")),
            CallId = "id-1",
            CSeq = new SipCSeq(7, SipMethods.Invite),
            MaxForwards = 70,
            ContentType = "application/sdp",
            Body = Encoding.UTF8.GetBytes("v=0\r\n"),
        };
        request.Vias.Add(new SipVia("UDP", "192.0.2.1", 5060) { Branch = "z9hG4bKxyz" });
        request.Headers.Add("X-Custom", "value");
        var parsed = (SipRequest)SipMessageParser.Parse(SipMessageWriter.ToBytes(request), new SipParserOptions()).Message!;
        Assert.Equal("Alice \"A\"", parsed.From.DisplayName);
        Assert.Equal("abc", parsed.From.Tag);
        Assert.Equal(request.CSeq, parsed.CSeq);
        Assert.Equal("z9hG4bKxyz", parsed.TopVia.Branch);
        Assert.Equal("value", parsed.Headers.Get("X-Custom"));
        Assert.Equal(request.Body, parsed.Body);
    }

    [Fact]
    public void Line_length_limit_is_enforced()
    {
        var text = SipText.Message("OPTIONS sip:a@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "From: <sip:a@b>;tag=1", "To: <sip:a@b>", "Call-ID: x", "CSeq: 1 OPTIONS", "X-Long: " + new string('a', 500), "l: 0");
        var result = SipMessageParser.Parse(text, new SipParserOptions { MaxLineLength = 200 });
        Assert.Equal(SipParseErrorKind.HeaderLimitExceeded, result.Error!.Kind);
        Assert.Equal(413, result.Error.StatusCode);
    }

    [Fact]
    public void Stream_framer_cuts_messages_by_content_length_across_reads()
    {
        var one = SipText.MessageWithBody("hello", "MESSAGE sip:a@127.0.0.1 SIP/2.0", "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1", "From: <sip:a@b>;tag=1", "To: <sip:a@b>", "Call-ID: x", "CSeq: 1 MESSAGE", "Content-Length: {len}");
        var two = SipText.Message("OPTIONS sip:a@127.0.0.1 SIP/2.0", "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK2", "From: <sip:a@b>;tag=1", "To: <sip:a@b>", "Call-ID: y", "CSeq: 2 OPTIONS", "l: 0");
        var stream = Encoding.UTF8.GetBytes("\r\n\r\n" + one + two);
        var framer = new SipStreamFramer(new SipParserOptions());
        var messages = new List<byte[]>();
        foreach (var chunk in stream.Chunk(7))
        {
            framer.Append(chunk);
            while (framer.TryTake(out var m))
            {
                messages.Add(m);
            }
        }
        Assert.Equal(2, messages.Count);
        Assert.Equal(one, Encoding.UTF8.GetString(messages[0]));
        Assert.Equal(two, Encoding.UTF8.GetString(messages[1]));
    }

    [Fact]
    public void Stream_framer_gives_up_on_oversized_or_unframed_messages()
    {
        var framer = new SipStreamFramer(new SipParserOptions { MaxMessageSize = 1000 });
        framer.Append(Encoding.UTF8.GetBytes("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n"));
        Assert.False(framer.TryTake(out _));
        Assert.True(framer.IsBroken);

        // Found by the fuzzer (issue 14): header length + a Content-Length near int.MaxValue overflowed and threw.
        var huge = new SipStreamFramer(new SipParserOptions());
        huge.Append(Encoding.UTF8.GetBytes("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 2147483647\r\n\r\n"));
        Assert.False(huge.TryTake(out _));
        Assert.True(huge.IsBroken);

        var noLength = new SipStreamFramer(new SipParserOptions());
        noLength.Append(Encoding.UTF8.GetBytes("OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n"));
        Assert.False(noLength.TryTake(out _));
        Assert.True(noLength.IsBroken);
    }
}
