namespace Talko.Core.Sip.Messages;

/// <summary>
/// Hard limits applied while parsing. Anything beyond them is rejected before it can cost memory or time
/// (RFC 3261 section 18.3 leaves sizes to the implementation; these are ours).
/// </summary>
public sealed class SipParserOptions
{
    /// <summary>Largest whole message (start line, headers and body) in bytes. Bigger gets 413 or is dropped.</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024;

    /// <summary>Most header fields (after unfolding, before splitting comma lists) in one message.</summary>
    public int MaxHeaderCount { get; set; } = 100;

    /// <summary>Longest single header field or start line in characters (after unfolding).</summary>
    public int MaxLineLength { get; set; } = 4 * 1024;

    /// <summary>Most values in one comma-separated list across all fields of a name (Via, Contact, Route...).</summary>
    public int MaxListValues { get; set; } = 32;
}
