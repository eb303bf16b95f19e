using static Talko.Tests.Infrastructure.Sip.SipText;

namespace Talko.Tests.Core.Sip.Messages;

/// <summary>
/// Our own messages for each category of RFC 4475 (SIP torture tests). Each names the section it exercises.
/// Valid ones must parse; invalid ones must get the status the RFC asks for (0 = silently dropped).
/// </summary>
internal static class TortureMessages
{
    private const string Via = "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK";

    private static string Options(string branch, params string[] extra) => Message([
        "OPTIONS sip:talko@127.0.0.1 SIP/2.0",
        Via + branch,
        "Max-Forwards: 70",
        "From: <sip:probe@example.org>;tag=f1",
        "To: <sip:talko@127.0.0.1>",
        "Call-ID: torture-" + branch,
        "CSeq: 1 OPTIONS",
        .. extra,
        "Content-Length: 0"]);

    // ---- RFC 4475 section 3.1.1: valid messages --------------------------------------------------------

    /// <summary>3.1.1.1: case, compact forms, folding, whitespace around separators, escaped quotes, odd unknown headers.</summary>
    public static readonly string TortuousInvite = MessageWithBody(
        "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.3\r\ns=-\r\nc=IN IP4 192.0.2.4\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\n",
        "INVITE sip:conf-7@127.0.0.1;unknownparam SIP/2.0",
        "TO :",
        " sip:conf-7@127.0.0.1 ;   tag    = 1918181833n",
        "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>",
        "  ;",
        "  tag = 98asjd8",
        "MaX-fOrWaRdS: 0068",
        "Call-ID: wsinv.ndaksdj@192.0.2.1",
        "Content-Length   : {len}",
        "cseq: 0009",
        "  INVITE",
        "Via  : SIP  /   2.0",
        " /UDP",
        "    192.0.2.2;branch=z9hG4bK390skdjuw",
        "s :",
        "NewFangledHeader:   newfangled value",
        " continued newfangled value",
        "UnknownHeaderWithUnusualValue: ;;,,;;,;",
        "Content-Type: application/sdp",
        "Route:",
        " <sip:services.example.com;lr;unknownwith=value;unknown-no-value>",
        "v:  SIP  / 2.0  / TCP     spindle.example.com   ;",
        "  branch  =   z9hG4bK9ikj8  ,",
        " SIP  /    2.0   / UDP  192.168.255.111   ; branch=",
        " z9hG4bK30239",
        "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =",
        "      newvalue ;",
        "  secondparam ; q = 0.33");

    /// <summary>3.1.1.2: every character a token or URI user part allows, an extension method.</summary>
    public static readonly string WideRangeOfCharacters = Message(
        "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0",
        "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~",
        "To: \"BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007f\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>",
        "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439\";tag=_token~1'+`*%!-.",
        "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{",
        "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~",
        "Max-Forwards: 255",
        "extensionHeader-!.%*+_`'~:\ufeff\u5927\u505c\u96fb",
        "Content-Length: 0");

    /// <summary>3.1.1.3: escapes in the user part and a display name using UTF-8.</summary>
    public static readonly string PercentEscaping = Message(
        "INVITE sip:sips%3Auser%40example.com@127.0.0.1 SIP/2.0",
        "To: sip:%61lice@example.com",
        "From: <sip:%61lice@example.com;transport=TCP>;tag=938",
        "Max-Forwards: 87",
        "i: esc01.239409asdfakjkn23onasd0-3234",
        "CSeq: 234234 INVITE",
        "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw",
        "C: application/sdp",
        "Contact: <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>",
        "Content-Length: 0");

    /// <summary>3.1.1.4: an escaped NUL in the user part of the Request-URI.</summary>
    public static readonly string EscapedNull = Message(
        "REGISTER sip:example.com SIP/2.0",
        "To: sip:null-%00-null@example.com",
        "From: sip:null-%00-null@example.com;tag=839923423",
        "Max-Forwards: 70",
        "Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd",
        "CSeq: 14398234 REGISTER",
        "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw",
        "Contact: <sip:%00@host5.example.com>",
        "Contact: <sip:%00%00@host5.example.com>",
        "L:0");

    /// <summary>3.1.1.5: '%' that is not an escape, where the grammar allows it as a plain character.</summary>
    public static readonly string PercentNotEscape = Message(
        "RE%47IST%45R sip:registrar.example.com SIP/2.0",
        "To: \"%Z%45\" <sip:resource@example.com>",
        "From: \"%Z%45\" <sip:resource@example.com>;tag=f232jadfj23",
        "Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf",
        "Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234",
        "CSeq: 29344 RE%47IST%45R",
        "Max-Forwards: 70",
        "Contact: <sip:alias1@host1.example.com>",
        "C%6Fntact: <sip:alias2@host2.example.com>",
        "Contact: <sip:alias3@host3.example.com>",
        "l: 0");

    /// <summary>3.1.1.6: no whitespace between display name and '&lt;'.</summary>
    public static readonly string NoLwsBeforeAngle = Options("nolws", "Contact: \"caller\"<sip:caller@example.com>;tag=323");

    /// <summary>3.1.1.7: long values everywhere.</summary>
    public static readonly string LongValues = Message(
        "INVITE sip:user@127.0.0.1 SIP/2.0",
        "To: \"I have a user name of " + new string('x', 600) + "\" <sip:user@example.com>",
        "From: sip:caller@example.net;tag=" + new string('9', 300),
        "Call-ID: longreq.one" + new string('r', 400),
        "CSeq: 3882340 INVITE",
        "Unknown-" + new string('L', 200) + "-Header: unknown-" + new string('l', 300) + "-value; unknown-" + new string('p', 100) + "-parameter=value",
        "Via: SIP/2.0/TCP sip33.example.com",
        "v: SIP/2.0/TCP sip32.example.com",
        "V: SIP/2.0/TCP sip31.example.com",
        "Via: SIP/2.0/TCP sip30.example.com",
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK" + new string('b', 200) + ";received=192.0.2.1;rport",
        "Max-Forwards: 68",
        "Contact: <sip:amazinglylongcallername" + new string('n', 300) + "@host5.example.net>",
        "Content-Length: 0");

    /// <summary>3.1.1.8: a datagram with octets after the Content-Length worth of body.</summary>
    public static readonly string ExtraTrailingOctets = Options("dblreq", "X-Note: trailing junk follows") + "INVITE sip:joe@example.com SIP/2.0\r\nJunk: yes\r\n";

    /// <summary>3.1.1.9: semicolon-separated parameters in the URI user part.</summary>
    public static readonly string SemicolonInUserPart = Message(
        "OPTIONS sip:user;par=u%40example.net@127.0.0.1 SIP/2.0",
        "To: sip:j_user@example.com",
        "From: sip:caller@example.org;tag=33242",
        "Max-Forwards: 3",
        "Call-ID: semiuri.0ha0isndaksdj",
        "CSeq: 8 OPTIONS",
        "Accept: application/sdp, application/pkcs7-mime,",
        " multipart/mixed, multipart/signed,",
        " message/sip, message/sipfrag",
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw",
        "l: 0");

    /// <summary>3.1.1.10: Via transports known and unknown.</summary>
    public static readonly string VariedTransports = Message(
        "OPTIONS sip:user@127.0.0.1 SIP/2.0",
        "To: sip:user@example.com",
        "From: <sip:caller@example.com>;tag=323",
        "Max-Forwards: 70",
        "Call-ID: transports.kijh4akdnaqjkwendsasfdj",
        "Accept: application/sdp",
        "CSeq: 60 OPTIONS",
        "Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw",
        "Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf",
        "Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj",
        "Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en",
        "Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee",
        "l: 0");

    /// <summary>3.1.1.11: a multipart/mixed body (parsed; this UAS only takes application/sdp, so 415).</summary>
    public static readonly string MultipartBody = MessageWithBody(
        "--7a9cbec02ceef655\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--7a9cbec02ceef655--\r\n",
        "OPTIONS sip:bob@127.0.0.1 SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKmp17",
        "To: <sip:bob@example.com>",
        "From: <sip:alice@example.com>;tag=9300",
        "Call-ID: mpart01.a7ee4b2",
        "CSeq: 1 OPTIONS",
        "Max-Forwards: 70",
        "Content-Type: multipart/mixed;boundary=7a9cbec02ceef655",
        "Content-Length: {len}");

    /// <summary>3.1.1.12: a reason phrase with non-ASCII UTF-8.</summary>
    public static readonly string UnusualReasonPhrase = Message(
        "SIP/2.0 200 = 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e \u0434\u0435\u0432\u044f\u0442\u044c",
        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKas3",
        "Call-ID: unreason.1234ksdfak3j2erwedfsASdf",
        "CSeq: 35 INVITE",
        "From: sip:user@example.com;tag=11141343",
        "To: sip:user@example.edu;tag=2229",
        "Content-Length: 0");

    /// <summary>3.1.1.13: an empty reason phrase.</summary>
    public static readonly string EmptyReasonPhrase = Message(
        "SIP/2.0 100 ",
        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKas3",
        "Call-ID: noreason.asndj203insdf99223ndf",
        "CSeq: 35 INVITE",
        "From: <sip:user@example.com>;tag=39ansfi3",
        "To: <sip:user@example.edu>;tag=902jndnke3",
        "Content-Length: 0");

    public static IEnumerable<object[]> Valid() =>
    [
        ["3.1.1.1 tortuous INVITE", TortuousInvite],
        ["3.1.1.2 wide range of characters", WideRangeOfCharacters],
        ["3.1.1.3 percent escaping", PercentEscaping],
        ["3.1.1.4 escaped nulls", EscapedNull],
        ["3.1.1.5 percent not an escape", PercentNotEscape],
        ["3.1.1.6 no LWS before <", NoLwsBeforeAngle],
        ["3.1.1.7 long values", LongValues],
        ["3.1.1.8 trailing octets", ExtraTrailingOctets],
        ["3.1.1.9 ; in user part", SemicolonInUserPart],
        ["3.1.1.10 varied transports", VariedTransports],
        ["3.1.1.11 multipart body", MultipartBody],
        ["3.1.1.12 unusual reason phrase", UnusualReasonPhrase],
        ["3.1.1.13 empty reason phrase", EmptyReasonPhrase],
        ["3.2.1 RFC 2543 branch", Message("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=old-style-1", "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>", "Call-ID: c2543", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.4.1 RFC 2543 syntax", Rfc2543Invite],
    ];

    /// <summary>3.4.1: no branch, no Max-Forwards, addr-spec everywhere.</summary>
    public static readonly string Rfc2543Invite = MessageWithBody(
        "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0\r\n",
        "INVITE sip:conf-1@127.0.0.1 SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5070",
        "From: sip:caller@example.net;tag=2234923",
        "To: sip:conf-1@127.0.0.1",
        "Call-ID: inv2543.1717@192.0.2.10",
        "CSeq: 1 INVITE",
        "Contact: sip:caller@192.0.2.10:5070",
        "Content-Type: application/sdp",
        "Content-Length: {len}");

    // ---- RFC 4475 sections 3.1.2, 3.2, 3.3: what must be answered or dropped --------------------------

    private static string Invalid(string requestLine, params string[] headers) => Message([
        requestLine,
        .. headers.Any(h => h.StartsWith("Via:", StringComparison.Ordinal)) ? [] : new[] { Via + "bad" + Math.Abs(requestLine.GetHashCode() % 10000) },
        .. headers]);

    private static readonly string[] Basic =
    [
        "Max-Forwards: 70",
        "From: <sip:probe@example.org>;tag=f1",
        "To: <sip:talko@127.0.0.1>",
        "Call-ID: invalid-1",
    ];

    public static IEnumerable<object[]> Answered() =>
    [
        // 3.1.2: syntax
        ["3.1.2.1 extraneous separators", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [Via + "x1", "Via: SIP/2.0/UDP 192.0.2.15;;,;,,", .. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.1 empty params in From", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Max-Forwards: 70", "From: sip:caller@example.net;;tag=134161461246", "To: <sip:talko@127.0.0.1>", "Call-ID: badfrom", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.1.2.2 Content-Length too large", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 9999"])],
        ["3.1.2.3 negative Content-Length", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: -999"])],
        ["3.1.2.4 CSeq overflow", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 36893488147419103232 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.4 Max-Forwards overflow", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Max-Forwards: 300", "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>", "Call-ID: mf300", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.1.2.4 Expires overflow", 400, Invalid("REGISTER sip:127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 REGISTER", "Expires: 9999999999999999", "Contact: <sip:a@192.0.2.10>", "Content-Length: 0"])],
        ["3.1.2.4 Contact expires overflow", 400, Invalid("REGISTER sip:127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 REGISTER", "Contact: <sip:a@192.0.2.10>;expires=280297596632815", "Content-Length: 0"])],
        ["3.1.2.6 unterminated quote", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Max-Forwards: 70", "From: \"Bell, Alexander <sip:a.g.bell@example.com>;tag=43", "To: <sip:talko@127.0.0.1>", "Call-ID: quotbal", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.1.2.7 <> around Request-URI", 400, Invalid("OPTIONS <sip:talko@127.0.0.1> SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.8 LWS in Request-URI", 400, Invalid("OPTIONS sip:talko@127.0.0.1;lr SIP/2.0 ;x=y SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.9 multiple SP in request line", 400, Invalid("OPTIONS  sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.10 SP at end of request line", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0 ", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.11 headers in Request-URI", 400, Invalid("OPTIONS sip:talko@127.0.0.1?Subject=hi SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.12 odd Date is ignored", 200, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Date: Fri, 01 Jan 2010 16:00:00 EST", "Content-Length: 0"])],
        ["3.1.2.13 addr-spec with headers", 400, Invalid("REGISTER sip:127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 REGISTER", "Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E", "Content-Length: 0"])],
        ["3.1.2.14 spaces in addr-spec", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Max-Forwards: 70", "From: \"Watson\" < sip:t.watson@example.org >;tag=1", "To: <sip:talko@127.0.0.1>", "Call-ID: baddn", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.1.2.15 non-token display name", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Max-Forwards: 70", "From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43", "To: <sip:talko@127.0.0.1>", "Call-ID: baddn2", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.1.2.16 unknown SIP version", 505, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/7.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.1.2.17 CSeq method mismatch", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 INVITE", "Content-Length: 0"])],
        ["3.1.2.18 unknown method, CSeq mismatch", 400, Invalid("NEWMETHOD sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 INVITE", "Content-Length: 0"])],
        // 3.2: transaction layer
        ["3.2.1 RFC 2543 transaction id", 200, Message("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=1", "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>", "Call-ID: c2543b", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        // 3.3: application layer
        ["3.3.1 missing Call-ID", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Max-Forwards: 70", "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.3.2 unknown URI scheme", 416, Invalid("OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.3.3 atypical URI scheme", 416, Invalid("OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.3.3 tel URI", 416, Invalid("OPTIONS tel:+1-201-555-0123 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.3.4 unknown Content-Type", 415, MessageWithBody("<audio> <pcmu port=\"443\"/> </audio>", ["INVITE sip:conf@127.0.0.1 SIP/2.0", Via + "ct", .. Basic, "CSeq: 1 INVITE", "Content-Type: application/unknownformat", "Content-Length: {len}"])],
        ["3.3.5 unknown authorization scheme", 401, Invalid("REGISTER sip:127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 REGISTER", "Authorization: NoOneKnowsThisScheme opaque-data=here", "Contact: <sip:a@192.0.2.10>", "Content-Length: 0"])],
        ["3.3.6 two To values", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "To: <sip:other@127.0.0.1>", "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.3.6 two Call-ID values", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "Call-ID: second", "CSeq: 1 OPTIONS", "Content-Length: 0"])],
        ["3.3.7 two Content-Length values", 400, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Content-Length: 0", "l: 0"])],
        ["3.3.9 Max-Forwards 0 on INVITE", 483, Message("INVITE sip:conf@127.0.0.1 SIP/2.0", Via + "mf0", "Max-Forwards: 0", "From: <sip:a@example.org>;tag=1", "To: <sip:conf@127.0.0.1>", "Call-ID: mf0", "CSeq: 1 INVITE", "Content-Length: 0")],
        ["3.3.9 Max-Forwards 0 on OPTIONS", 200, Message("OPTIONS sip:talko@127.0.0.1 SIP/2.0", Via + "mf0o", "Max-Forwards: 0", "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>", "Call-ID: mf0o", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.3.10 REGISTER contact header param", 401, Invalid("REGISTER sip:127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 REGISTER", "Contact: sip:+19725552222@gw1.example.net;unknownparam", "Content-Length: 0"])],
        ["3.3.11 REGISTER url param", 401, Invalid("REGISTER sip:127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 REGISTER", "Contact: <sip:+19725552222@gw1.example.net;unknownparam>", "Content-Length: 0"])],
        ["3.3.12 REGISTER escaped header", 401, Invalid("REGISTER sip:127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 REGISTER", "Contact: <sip:user@host.example.com?Route=%3Csip:sip.example.com%3E>", "Content-Length: 0"])],
        ["3.3.15 unsupported Require", 420, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", "Require: nothingSupportsThis, nothingSupportsThisEither", "Content-Length: 0"])],
        ["unknown method", 501, Invalid("FROBNICATE sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 FROBNICATE", "Content-Length: 0"])],
        ["BYE outside a dialog", 481, Invalid("BYE sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 BYE", "Content-Length: 0"])],
        ["too many headers", 413, Invalid("OPTIONS sip:talko@127.0.0.1 SIP/2.0", [.. Basic, "CSeq: 1 OPTIONS", .. Enumerable.Range(0, 150).Select(i => $"X-Filler-{i}: {i}"), "Content-Length: 0"])],
        ["truncated datagram with a Via", 400, "OPTIONS sip:talko@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKtrunc\r\nFrom: <sip:a@exa"],
        ["message too large", 413, MessageWithBody(new string('a', 20_000), ["OPTIONS sip:talko@127.0.0.1 SIP/2.0", Via + "big", .. Basic, "CSeq: 1 OPTIONS", "Content-Type: application/sdp", "Content-Length: 20000"])],
    ];

    public static IEnumerable<object[]> Dropped() =>
    [
        ["3.1.2.5 response CSeq overflow", Message("SIP/2.0 503 Service Unavailable", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbig", "From: <sip:a@example.org>;tag=1", "To: <sip:b@example.org>;tag=2", "Call-ID: scalar", "CSeq: 9292394834772304023312 OPTIONS", "Content-Length: 0")],
        ["3.1.2.19 overlarge status code", Message("SIP/2.0 4294967301 better not break the receiver", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbig2", "From: <sip:a@example.org>;tag=1", "To: <sip:b@example.org>;tag=2", "Call-ID: bigcode", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.3.1 missing Via", Message("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Max-Forwards: 70", "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>", "Call-ID: novia", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["3.3.8 response with two Vias", Message("SIP/2.0 200 OK", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbcast", "Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23", "From: <sip:a@example.org>;tag=1", "To: <sip:b@example.org>;tag=2", "Call-ID: bcast", "CSeq: 1 OPTIONS", "Content-Length: 0")],
        ["malformed ACK is never answered", Message("ACK <sip:talko@127.0.0.1> SIP/2.0", Via + "ack", "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>;tag=2", "Call-ID: ack", "CSeq: 1 ACK", "Content-Length: 0")],
        ["random bytes", "\u0001\u0002garbage\u00ff that is not SIP at all"],
        ["truncated start line", "INVITE sip:x@exa"],
    ];
}
