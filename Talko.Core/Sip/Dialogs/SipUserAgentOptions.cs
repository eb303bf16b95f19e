namespace Talko.Core.Sip.Dialogs;

/// <summary>How the user agent core presents itself and what it accepts.</summary>
public sealed class SipUserAgentOptions
{
    /// <summary>Sent in User-Agent and Server headers.</summary>
    public string ProductName { get; set; } = "Talko";

    /// <summary>
    /// Body types the core accepts (RFC 3261 section 8.2.3); others get 415. message/sipfrag is what a transferee's
    /// NOTIFYs carry after a REFER (RFC 3515 section 2.4.5).
    /// </summary>
    public IReadOnlyList<string> AcceptedContentTypes { get; set; } = ["application/sdp", "message/sipfrag"];

    /// <summary>Option tags understood in Require (section 8.2.2.3); others get 420.</summary>
    public IReadOnlyList<string> SupportedExtensions { get; set; } = [];
}
