namespace Talko.Core.Sip.Messages;

/// <summary>Why a message could not be accepted. The layer above decides between answering and dropping.</summary>
public enum SipParseErrorKind
{
    None,
    /// <summary>Not even a start line: random bytes, a truncated datagram. Always dropped.</summary>
    Unrecognisable,
    /// <summary>Bigger than <see cref="SipParserOptions.MaxMessageSize"/> (413 for requests).</summary>
    MessageTooLarge,
    /// <summary>Too many header fields or a line that is too long (413 per our limits).</summary>
    HeaderLimitExceeded,
    /// <summary>Syntax broken in the start line or a header (400, RFC 4475 section 3.1.2).</summary>
    BadSyntax,
    /// <summary>A mandatory header is missing or a single-valued one repeated (400, RFC 4475 section 3.3.1, 3.3.6).</summary>
    BadHeaders,
    /// <summary>Content-Length larger than the bytes received, negative or repeated (400, RFC 4475 3.1.2.2-3).</summary>
    BadContentLength,
    /// <summary>A numeric field larger than the grammar allows (400, RFC 4475 3.1.2.4).</summary>
    ValueOutOfRange,
    /// <summary>CSeq method differs from the request method (400, RFC 4475 3.1.2.17).</summary>
    CSeqMethodMismatch,
    /// <summary>SIP version other than 2.0 (505, RFC 4475 3.1.2.16).</summary>
    UnsupportedVersion,
    /// <summary>More Via values than <see cref="SipParserOptions.MaxViaValues"/>: more hops than we accept (483, ADR 0165).</summary>
    TooManyVias,
}

/// <summary>
/// A typed parse failure. When enough of a request was read to answer it (a parseable Via and the raw
/// From, To, Call-ID and CSeq), <see cref="Request"/> carries them so that a response can be built.
/// </summary>
public sealed record SipParseError(SipParseErrorKind Kind, string Detail, bool IsRequest, SipMalformedRequest? Request)
{
    /// <summary>The status code a UAS answers with (RFC 3261 sections 8.2, 21), or 0 when the message is to be dropped.</summary>
    public int StatusCode => !IsRequest || Request is null ? 0 : Kind switch
    {
        SipParseErrorKind.MessageTooLarge or SipParseErrorKind.HeaderLimitExceeded => SipStatusCodes.RequestEntityTooLarge,
        SipParseErrorKind.UnsupportedVersion => SipStatusCodes.VersionNotSupported,
        SipParseErrorKind.TooManyVias => SipStatusCodes.TooManyHops,
        SipParseErrorKind.Unrecognisable or SipParseErrorKind.None => 0,
        _ => SipStatusCodes.BadRequest,
    };

    /// <summary>A reason phrase more precise than the status code's own (it names the limit), or null for the standard one.</summary>
    public string? ReasonPhrase { get; init; }
}

/// <summary>
/// The fields of a malformed request needed to answer it statelessly (RFC 3261 section 8.2.6.2), kept raw
/// because a broken From or To must still be echoed back. <see cref="RawVias"/> holds every Via value as received;
/// <see cref="TopVia"/> is the parsed top one, or null when it could not be parsed: the answer then goes back only
/// where the request came from (the same TCP connection, or the datagram's source). Missing fields are left out of
/// the answer (RFC 4475 section 3.3.1 still wants a 400).
/// </summary>
public sealed record SipMalformedRequest(string Method, SipVia? TopVia, IReadOnlyList<string> RawVias, string? From, string? To, string? CallId, string? CSeq);
