using System.Text;

namespace Talko.Core.Sip.Messages;

/// <summary>The outcome of parsing: a message, or a typed error (never an exception).</summary>
public readonly record struct SipParseResult(SipMessage? Message, SipParseError? Error)
{
    public bool Success => Message is not null;
}

/// <summary>
/// Parses one SIP message (RFC 3261 section 7) from bytes. Works on spans over a single decoded copy of the
/// header section: lines and values become strings only where the message keeps them (a folded line is joined into
/// one), and known method names are the stack's constants. The body stays as bytes. Malformed input yields a
/// <see cref="SipParseError"/>.
/// </summary>
public static class SipMessageParser
{
    /// <summary>
    /// Parses one datagram or one framed stream message. For datagrams a missing Content-Length means
    /// "to the end of the datagram"; for streams it means no body (RFC 3261 section 18.3).
    /// </summary>
    public static SipParseResult Parse(ReadOnlySpan<byte> data, SipParserOptions options, bool isDatagram = true)
    {
        // Leading CRLFs are keep-alives or junk between messages (RFC 3261 section 7.5).
        while (data.Length >= 2 && data[0] == '\r' && data[1] == '\n')
        {
            data = data[2..];
        }

        if (data.Length < 8)
        {
            return Fail(SipParseErrorKind.Unrecognisable, "too short", false, null);
        }

        var headEnd = data.IndexOf("\r\n\r\n"u8);
        var headBytes = headEnd < 0 ? data : data[..headEnd];
        var bodyBytes = headEnd < 0 ? ReadOnlySpan<byte>.Empty : data[(headEnd + 4)..];
        if (headBytes.Length > options.MaxMessageSize)
        {
            return Fail(SipParseErrorKind.MessageTooLarge, "header section too large", false, null);
        }

        var head = Encoding.UTF8.GetString(headBytes);
        var reader = new LineReader(head);
        if (!reader.TryNext(out var startLine, options.MaxLineLength))
        {
            return Fail(SipParseErrorKind.Unrecognisable, "no start line", false, null);
        }

        var state = new ParseState(options);
        var isRequest = !startLine.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase);
        if (!isRequest && !state.ParseStatusLine(startLine))
        {
            return Fail(state.ErrorKind, state.ErrorDetail!, false, null);
        }

        if (isRequest && !state.ParseRequestLine(startLine))
        {
            return Fail(state.ErrorKind, state.ErrorDetail!, true, null);
        }

        var count = 0;
        while (reader.TryNext(out var line, options.MaxLineLength))
        {
            // Via fields have their own, larger bound (MaxViaValues): a request that crossed many proxies is legal.
            if (!state.ParseHeaderLine(line) && ++count > options.MaxHeaderCount)
            {
                state.Error(SipParseErrorKind.HeaderLimitExceeded, "too many header fields");
                break;
            }
        }
        if (reader.LineTooLong)
        {
            state.Error(SipParseErrorKind.HeaderLimitExceeded, "header line too long");
        }

        if (headEnd < 0)
        {
            state.Error(SipParseErrorKind.BadSyntax, "no blank line after the headers");
        }

        state.CheckRequired();

        if (state.ContentLength is { } length)
        {
            if (length > bodyBytes.Length)
            {
                state.Error(SipParseErrorKind.BadContentLength, "Content-Length exceeds the bytes received");
            }
            else
            {
                bodyBytes = bodyBytes[..(int)length]; // extra octets in a datagram are discarded (RFC 4475 3.1.1.8)
            }
        }
        else if (!isDatagram)
        {
            bodyBytes = default;
        }
        if (headBytes.Length + 4 + bodyBytes.Length > options.MaxMessageSize)
        {
            state.Error(SipParseErrorKind.MessageTooLarge, "message too large");
        }

        if (state.ErrorKind == SipParseErrorKind.TooManyVias)
        {
            return new(null, new SipParseError(state.ErrorKind, state.ErrorDetail!, isRequest, isRequest ? state.Malformed() : null)
            {
                ReasonPhrase = $"Too Many Via Values (limit {options.MaxViaValues})",
            });
        }

        if (state.ErrorKind != SipParseErrorKind.None)
        {
            return Fail(state.ErrorKind, state.ErrorDetail!, isRequest, isRequest ? state.Malformed() : null);
        }

        var message = state.Build();
        message.Body = bodyBytes.ToArray();
        return new SipParseResult(message, null);
    }

    public static SipParseResult Parse(string text, SipParserOptions? options = null, bool isDatagram = true) =>
        Parse(Encoding.UTF8.GetBytes(text), options ?? new SipParserOptions(), isDatagram);

    private static SipParseResult Fail(SipParseErrorKind kind, string detail, bool isRequest, SipMalformedRequest? request) =>
        new(null, new SipParseError(kind, detail, isRequest, request));

    /// <summary>Yields header lines with folded continuation lines joined (RFC 3261 section 7.3.1).</summary>
    private ref struct LineReader(string text)
    {
        private int position;

        public bool LineTooLong { get; private set; }

        public bool TryNext(out ReadOnlySpan<char> line, int maxLength)
        {
            line = default;
            if (position >= text.Length || LineTooLong)
            {
                return false;
            }

            var first = ReadSegment();
            if (!IsContinuation())
            {
                if (first.Length > maxLength)
                { LineTooLong = true; return false; }
                line = first;
                return true;
            }
            var sb = new StringBuilder(first.Length + 64).Append(first);
            while (IsContinuation())
            {
                sb.Append(' ').Append(ReadSegment().TrimStart(" \t"));
                if (sb.Length > maxLength)
                { LineTooLong = true; return false; }
            }
            line = sb.ToString();
            return true;
        }

        private ReadOnlySpan<char> ReadSegment()
        {
            var end = text.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (end < 0)
            {
                end = text.Length;
            }

            var segment = text.AsSpan(position, end - position);
            position = Math.Min(text.Length, end + 2);
            return segment;
        }

        private readonly bool IsContinuation() => position < text.Length && SipGrammar.IsWhitespace(text[position]);
    }

    /// <summary>Accumulates typed headers and the first error while keeping what is needed to answer.</summary>
    private sealed class ParseState(SipParserOptions options)
    {
        public SipParseErrorKind ErrorKind { get; private set; }
        public string? ErrorDetail { get; private set; }
        public long? ContentLength { get; private set; }

        private string? method;
        private SipUri? requestUri;
        private int statusCode;
        private string? reason;
        private readonly List<SipVia> vias = [];
        private readonly List<string> rawVias = [];
        private bool viaBroken;
        private SipNameAddress? from, to;
        private string? rawFrom, rawTo, callId, rawCSeq;
        private SipCSeq? cseq;
        private int? maxForwards;
        private long? expires;
        private string? contentType;
        private bool contactWildcard;
        private readonly List<SipNameAddress> contacts = [], routes = [], recordRoutes = [];
        private readonly List<SipHeaderField> others = [];
        private readonly List<string> scratch = [];

        public void Error(SipParseErrorKind kind, string detail)
        {
            if (ErrorKind != SipParseErrorKind.None)
            {
                return;
            }

            ErrorKind = kind;
            ErrorDetail = detail;
        }

        /// <summary>Request-Line = Method SP Request-URI SP SIP-Version, single spaces exactly (RFC 4475 3.1.2.9-10).</summary>
        public bool ParseRequestLine(ReadOnlySpan<char> span)
        {
            var sp1 = span.IndexOf(' ');
            var lastSp = span.LastIndexOf(' ');
            if (sp1 <= 0 || lastSp == sp1 || !SipGrammar.IsToken(span[..sp1]))
            {
                Error(SipParseErrorKind.Unrecognisable, "not a request line");
                return false;
            }
            method = SipMethods.Intern(span[..sp1]);
            var uriSpan = span[(sp1 + 1)..lastSp];
            var version = span[(lastSp + 1)..];
            // From here on the request is recognisable: keep reading headers so the error can be answered.
            if (version.IsEmpty || uriSpan.IsEmpty || uriSpan.IndexOfAny(' ', '\t') >= 0 || !IsVersion(version, out var isTwo))
            {
                Error(SipParseErrorKind.BadSyntax, "malformed request line");
                return true;
            }
            if (!isTwo)
            {
                Error(SipParseErrorKind.UnsupportedVersion, "SIP version is not 2.0");
            }

            if (!SipUri.TryParse(uriSpan, out requestUri))
            {
                Error(SipParseErrorKind.BadSyntax, "malformed Request-URI");
            }
            else if (requestUri.Headers is not null)
            {
                Error(SipParseErrorKind.BadSyntax, "headers in the Request-URI"); // RFC 4475 3.1.2.11
            }

            return true;
        }

        /// <summary>Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the phrase may be empty (RFC 4475 3.1.1.13).</summary>
        public bool ParseStatusLine(ReadOnlySpan<char> span)
        {
            var sp1 = span.IndexOf(' ');
            if (sp1 < 0 || !IsVersion(span[..sp1], out var isTwo) || !isTwo)
            { Error(SipParseErrorKind.Unrecognisable, "bad status line"); return false; }
            var rest = span[(sp1 + 1)..];
            var sp2 = rest.IndexOf(' ');
            var code = sp2 < 0 ? rest : rest[..sp2];
            if (code.Length != 3 || !SipGrammar.TryParseBoundedNumber(code, 699, out var c) || c < 100)
            {
                Error(SipParseErrorKind.Unrecognisable, "bad status code"); // RFC 4475 3.1.2.19: dropped
                return false;
            }
            statusCode = (int)c;
            reason = sp2 < 0 ? "" : rest[(sp2 + 1)..].ToString();
            return true;
        }

        private static bool IsVersion(ReadOnlySpan<char> s, out bool isTwo)
        {
            isTwo = s.Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase);
            if (isTwo)
            {
                return true;
            }

            if (s.Length < 7 || !s.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var v = s[4..];
            var dot = v.IndexOf('.');
            return dot > 0 && dot < v.Length - 1 && SipGrammar.TryParseBoundedNumber(v[..dot], 999, out _) && SipGrammar.TryParseBoundedNumber(v[(dot + 1)..], 999, out _);
        }

        /// <summary>Reads one header field; true when it was a Via field.</summary>
        public bool ParseHeaderLine(ReadOnlySpan<char> line)
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            { Error(SipParseErrorKind.BadSyntax, "header line without a colon"); return false; }
            var nameSpan = line[..colon].TrimEnd(" \t"); // HCOLON allows whitespace before ':'
            if (!SipGrammar.IsToken(nameSpan))
            { Error(SipParseErrorKind.BadSyntax, "header name is not a token"); return false; }
            var name = SipHeaderNames.Canonicalize(nameSpan);
            var value = SipGrammar.TrimLws(line[(colon + 1)..]);
            switch (name)
            {
                case SipHeaderNames.Via:
                    ParseVia(value.ToString());
                    break;
                case SipHeaderNames.From:
                    ParseSingleAddress(value.ToString(), ref from, ref rawFrom, "From");
                    break;
                case SipHeaderNames.To:
                    ParseSingleAddress(value.ToString(), ref to, ref rawTo, "To");
                    break;
                case SipHeaderNames.CallId:
                    ParseCallId(value.ToString());
                    break;
                case SipHeaderNames.CSeq:
                    ParseCSeq(value.ToString());
                    break;
                case SipHeaderNames.MaxForwards:
                    ParseMaxForwards(value);
                    break;
                case SipHeaderNames.ContentLength:
                    ParseContentLength(value);
                    break;
                case SipHeaderNames.Contact:
                    ParseContacts(value.ToString());
                    break;
                case SipHeaderNames.Route:
                    ParseAddressList(value.ToString(), routes, "Route");
                    break;
                case SipHeaderNames.RecordRoute:
                    ParseAddressList(value.ToString(), recordRoutes, "Record-Route");
                    break;
                case SipHeaderNames.Expires:
                    ParseExpires(value);
                    break;
                case SipHeaderNames.ContentType:
                    if (contentType is not null)
                    {
                        Error(SipParseErrorKind.BadHeaders, "Content-Type repeated");
                    }

                    contentType = value.ToString();
                    break;
                default:
                    if (!SipGrammar.QuotesBalanced(value))
                    {
                        Error(SipParseErrorKind.BadSyntax, $"unterminated quoted string in {name}");
                    }

                    others.Add(new(name, value.ToString()));
                    break;
            }
            return name == SipHeaderNames.Via;
        }

        private void ParseVia(string value)
        {
            scratch.Clear();
            // Every value is kept raw so any answer echoes the whole chain; the header section's size bounds the count.
            SipGrammar.TrySplitList(value, scratch, int.MaxValue);
            foreach (var v in scratch)
            {
                rawVias.Add(v);
                if (rawVias.Count > options.MaxViaValues)
                {
                    Error(SipParseErrorKind.TooManyVias, $"more than {options.MaxViaValues} Via values");
                    continue;
                }
                if (viaBroken || vias.Count < rawVias.Count - 1)
                {
                    continue; // an earlier value was broken: already reported
                }

                if (SipVia.TryParse(v, out var via))
                {
                    vias.Add(via);
                }
                else
                {
                    // A broken value after a good top Via still lets us answer through the top one.
                    if (vias.Count == 0)
                    {
                        viaBroken = true;
                    }

                    Error(SipParseErrorKind.BadSyntax, vias.Count == 0 ? "malformed top Via" : "malformed Via");
                }
            }
        }

        private void ParseSingleAddress(string value, ref SipNameAddress? field, ref string? raw, string name)
        {
            if (raw is not null)
            { Error(SipParseErrorKind.BadHeaders, $"{name} repeated"); return; }
            raw = value;
            if (!SipNameAddress.TryParse(value, out field))
            {
                Error(SipParseErrorKind.BadSyntax, $"malformed {name}");
            }
        }

        private void ParseCallId(string value)
        {
            if (callId is not null)
            { Error(SipParseErrorKind.BadHeaders, "Call-ID repeated"); return; }
            callId = value;
            if (value.Length == 0 || value.AsSpan().IndexOfAny(' ', '\t') >= 0)
            {
                Error(SipParseErrorKind.BadSyntax, "malformed Call-ID");
            }
        }

        private void ParseCSeq(string value)
        {
            if (rawCSeq is not null)
            { Error(SipParseErrorKind.BadHeaders, "CSeq repeated"); return; }
            rawCSeq = value;
            if (SipCSeq.TryParse(value, out var parsed))
            { cseq = parsed; return; }
            var digits = SipGrammar.TrimLws(value.AsSpan());
            var end = digits.IndexOfAny(' ', '\t');
            var allDigits = end > 0 && SipGrammar.TryParseBoundedNumber(digits[..end], long.MaxValue, out _) || end > 20;
            Error(allDigits ? SipParseErrorKind.ValueOutOfRange : SipParseErrorKind.BadSyntax, "malformed CSeq");
        }

        private void ParseMaxForwards(ReadOnlySpan<char> value)
        {
            if (maxForwards is not null)
            { Error(SipParseErrorKind.BadHeaders, "Max-Forwards repeated"); return; }
            if (!SipGrammar.TryParseBoundedNumber(value, 255, out var mf))
            { Error(SipParseErrorKind.ValueOutOfRange, "Max-Forwards out of range"); return; }
            maxForwards = (int)mf;
        }

        private void ParseContentLength(ReadOnlySpan<char> value)
        {
            if (ContentLength is not null)
            { Error(SipParseErrorKind.BadContentLength, "Content-Length repeated"); return; } // RFC 4475 3.3.7
            if (!SipGrammar.TryParseBoundedNumber(value, int.MaxValue, out var length))
            { Error(SipParseErrorKind.BadContentLength, "malformed Content-Length"); ContentLength = 0; return; }
            ContentLength = length;
        }

        private void ParseExpires(ReadOnlySpan<char> value)
        {
            if (expires is not null)
            { Error(SipParseErrorKind.BadHeaders, "Expires repeated"); return; }
            if (!SipGrammar.TryParseBoundedNumber(value, uint.MaxValue, out var e))
            { Error(SipParseErrorKind.ValueOutOfRange, "Expires out of range"); return; }
            expires = e;
        }

        private void ParseContacts(string value)
        {
            if (value == "*")
            { contactWildcard = true; return; }
            ParseAddressList(value, contacts, "Contact");
            foreach (var c in contacts)
            {
                if (c.Parameters.TryGet("expires", out var e) && (e is null || !SipGrammar.TryParseBoundedNumber(e, uint.MaxValue, out _)))
                {
                    Error(SipParseErrorKind.ValueOutOfRange, "Contact expires out of range");
                }
            }
        }

        private void ParseAddressList(string value, List<SipNameAddress> into, string name)
        {
            scratch.Clear();
            if (!SipGrammar.TrySplitList(value, scratch, options.MaxListValues) || into.Count + scratch.Count > options.MaxListValues)
            {
                Error(SipParseErrorKind.HeaderLimitExceeded, $"too many {name} values");
                return;
            }
            foreach (var v in scratch)
            {
                if (SipNameAddress.TryParse(v, out var addr))
                {
                    into.Add(addr);
                }
                else
                { Error(SipParseErrorKind.BadSyntax, $"malformed {name}"); return; }
            }
        }

        public void CheckRequired()
        {
            if (vias.Count == 0 && !viaBroken)
            {
                Error(SipParseErrorKind.BadHeaders, "missing Via");
            }

            if (rawFrom is null || rawTo is null || callId is null || rawCSeq is null)
            {
                Error(SipParseErrorKind.BadHeaders, "missing a mandatory header (RFC 3261 section 8.1.1)");
            }

            if (method is not null && cseq is { } c && !string.Equals(c.Method, method, StringComparison.Ordinal))
            {
                Error(SipParseErrorKind.CSeqMethodMismatch, "CSeq method differs from the request method");
            }
        }

        public SipMalformedRequest? Malformed() =>
            method is null || rawVias.Count == 0 ? null
                : new SipMalformedRequest(method, viaBroken ? null : vias[0], rawVias, rawFrom, rawTo, callId, rawCSeq);

        public SipMessage Build()
        {
            SipMessage message = method is not null
                ? new SipRequest(method, requestUri!) { From = from!, To = to!, CallId = callId!, CSeq = cseq!.Value, MaxForwards = maxForwards }
                : new SipResponse(statusCode, reason) { From = from!, To = to!, CallId = callId!, CSeq = cseq!.Value };
            message.Vias.AddRange(vias);
            message.Contacts.AddRange(contacts);
            message.ContactIsWildcard = contactWildcard;
            message.Routes.AddRange(routes);
            message.RecordRoutes.AddRange(recordRoutes);
            message.Expires = expires;
            message.ContentType = contentType;
            foreach (var f in others)
            {
                message.Headers.AddRaw(f);
            }

            return message;
        }
    }
}
