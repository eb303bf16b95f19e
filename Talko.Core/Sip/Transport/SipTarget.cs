using System.Net;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transport;

/// <summary>Where to send a request: protocol and remote endpoint (DNS is not resolved by this stack).</summary>
public sealed record SipTarget(SipTransportProtocol Protocol, IPEndPoint EndPoint)
{
    /// <summary>The target a SIP URI with a literal address names (RFC 3263 reduced to what loopback needs).</summary>
    public static SipTarget? FromUri(SipUri uri)
    {
        if (uri.HostAddress is not { } address)
        {
            return null;
        }

        var protocol = string.Equals(uri.Transport, "tcp", StringComparison.OrdinalIgnoreCase) ? SipTransportProtocol.Tcp : SipTransportProtocol.Udp;
        return new SipTarget(protocol, new IPEndPoint(address, uri.Port ?? 5060));
    }
}
