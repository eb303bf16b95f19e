using System.Net;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.WebRtc;

/// <summary>
/// The source policy of a WebRTC leg: ICE already decided. <see cref="WebRtcTransport"/> hands the leg only RTP and RTCP
/// that came from a pair with consent and passed SRTP authentication, and sends to the selected pair itself, so the leg
/// accepts everything it is given and its targets are never used.
/// </summary>
public sealed class IcePermittedSourcePolicy(SocketAddress placeholder) : IMediaSourcePolicy
{
    public SocketAddress RtpTarget => placeholder;

    public SocketAddress RtcpTarget => placeholder;

    public long SourceChanges => 0;

    public bool AcceptRtp(SocketAddress from, uint ssrc, ushort sequence) => true;

    public bool AcceptRtcp(SocketAddress from, uint? senderSsrc) => true;

    public void Renegotiate(SocketAddress signalledRtp, IPAddress? signallingAddress = null)
    {
        // ICE restarts are not supported: a new offer is a new leg.
    }
}
