using System.Collections.Frozen;

namespace Talko.Core.Sip.Messages;

/// <summary>Canonical header names and the compact forms of RFC 3261 section 7.3.3 and later RFCs.</summary>
public static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string MaxForwards = "Max-Forwards";
    public const string Contact = "Contact";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string ContentDisposition = "Content-Disposition";
    public const string ContentEncoding = "Content-Encoding";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string Expires = "Expires";
    public const string MinExpires = "Min-Expires";
    public const string Allow = "Allow";
    public const string Accept = "Accept";
    public const string Supported = "Supported";
    public const string Require = "Require";
    public const string ProxyRequire = "Proxy-Require";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Server = "Server";
    public const string Authorization = "Authorization";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string WwwAuthenticate = "WWW-Authenticate";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string Date = "Date";
    public const string Subject = "Subject";
    public const string Event = "Event";
    public const string RetryAfter = "Retry-After";
    public const string Reason = "Reason";
    public const string ReferTo = "Refer-To";
    public const string ReferredBy = "Referred-By";
    public const string SubscriptionState = "Subscription-State";

    private static readonly FrozenDictionary<string, string> Canonical = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["v"] = Via, ["f"] = From, ["t"] = To, ["i"] = CallId, ["m"] = Contact, ["l"] = ContentLength,
        ["c"] = ContentType, ["e"] = ContentEncoding, ["k"] = Supported, ["s"] = Subject, ["o"] = Event,
        ["r"] = "Refer-To", ["b"] = "Referred-By", ["u"] = "Allow-Events", ["x"] = "Session-Expires",
        ["a"] = "Accept-Contact", ["j"] = "Reject-Contact", ["d"] = "Request-Disposition", ["y"] = "Identity",
        [Via] = Via, [From] = From, [To] = To, [CallId] = CallId, [CSeq] = CSeq, [MaxForwards] = MaxForwards,
        [Contact] = Contact, [ContentLength] = ContentLength, [ContentType] = ContentType,
        [ContentDisposition] = ContentDisposition, [ContentEncoding] = ContentEncoding, [Route] = Route,
        [RecordRoute] = RecordRoute, [Expires] = Expires, [MinExpires] = MinExpires, [Allow] = Allow,
        [Accept] = Accept, [Supported] = Supported, [Require] = Require, [ProxyRequire] = ProxyRequire,
        [Unsupported] = Unsupported, [UserAgent] = UserAgent, [Server] = Server, [Authorization] = Authorization,
        [ProxyAuthorization] = ProxyAuthorization, [WwwAuthenticate] = WwwAuthenticate,
        [ProxyAuthenticate] = ProxyAuthenticate, [Date] = Date, [Subject] = Subject, [Event] = Event,
        [RetryAfter] = RetryAfter, [Reason] = Reason,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Maps any spelling or compact form to the canonical name; unknown names are returned unchanged.</summary>
    public static string Canonicalize(string name) => Canonical.TryGetValue(name, out var c) ? c : name;

    internal static string Canonicalize(ReadOnlySpan<char> name) =>
        Canonical.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var c) ? c : name.ToString();
}
