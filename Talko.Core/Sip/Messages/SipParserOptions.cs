namespace Talko.Core.Sip.Messages;

/// <summary>
/// Hard limits applied while parsing. Anything beyond them is rejected before it can cost memory or time
/// (RFC 3261 section 18.3 leaves sizes to the implementation; these are ours).
/// </summary>
public sealed class SipParserOptions
{
    /// <summary>Largest whole message (start line, headers and body) in bytes. Bigger gets 413 or is dropped.</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024;

    /// <summary>Most header fields other than Via (after unfolding, before splitting comma lists) in one message.</summary>
    public int MaxHeaderCount { get; set; } = 100;

    /// <summary>Longest single header field or start line in characters (after unfolding).</summary>
    public int MaxLineLength { get; set; } = 4 * 1024;

    /// <summary>Most values in one comma-separated list across all fields of a name (Contact, Route, Record-Route).</summary>
    public int MaxListValues { get; set; } = 32;

    /// <summary>
    /// Most Via values in one message, across all Via fields and comma lists. At least <see cref="MinViaValues"/>: a
    /// request may cross 70 proxies (Max-Forwards 70, RFC 3261 section 8.1.1.6) and carries one Via per hop plus its
    /// own. Beyond it a request gets 483 "Too Many Via Values (limit N)" (ADR 0165).
    /// </summary>
    public int MaxViaValues { get; set; } = 100;

    /// <summary>The smallest <see cref="MaxViaValues"/> accepted.</summary>
    public const int MinViaValues = 71;

    /// <exception cref="ArgumentException">A limit is out of range.</exception>
    public void Validate()
    {
        if (MaxViaValues < MinViaValues)
        {
            throw new ArgumentException($"Sip:Parser:MaxViaValues ({MaxViaValues}) must be at least {MinViaValues}: a request may legally cross 70 proxies.");
        }

        if (MaxMessageSize < 1024 || MaxHeaderCount < 10 || MaxLineLength < 256 || MaxListValues < 1)
        {
            throw new ArgumentException("Sip:Parser limits are too small to read ordinary SIP messages.");
        }
    }
}
