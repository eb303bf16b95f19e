namespace Talko.Core.Sip.Messages;

/// <summary>A SIP request (RFC 3261 section 7.1).</summary>
public sealed class SipRequest : SipMessage
{
    public SipRequest(string method, SipUri uri)
    {
        Method = method;
        Uri = uri;
    }

    public string Method { get; }

    public SipUri Uri { get; set; }

    public int? MaxForwards { get; set; }

    public override bool IsRequest => true;

    public override string ToString() => $"{Method} {Uri}";
}
