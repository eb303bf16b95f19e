using System.Net;

namespace Talko.Core.Media.Rtp;

/// <summary>
/// Decides where a leg sends RTP and RTCP and which arriving packets it accepts. Plain RTP legs use
/// <see cref="StrictRtpSourcePolicy"/> (ADR 0164); a WebRTC leg will supply one driven by ICE consent instead, so the
/// leg itself never decides whom to trust. Implementations are called from the receive loops and the mixer at once.
/// </summary>
public interface IMediaSourcePolicy
{
    /// <summary>Where RTP goes now.</summary>
    SocketAddress RtpTarget { get; }

    /// <summary>Where RTCP goes now.</summary>
    SocketAddress RtcpTarget { get; }

    /// <summary>How many times the RTP target moved to a source that proved itself.</summary>
    long SourceChanges { get; }

    /// <summary>Whether a well-formed RTP packet from <paramref name="from"/> may be used (and may move the target).</summary>
    bool AcceptRtp(SocketAddress from, uint ssrc, ushort sequence);

    /// <summary>Whether a well-formed RTCP compound from <paramref name="from"/>, sent by <paramref name="senderSsrc"/>, may be used.</summary>
    bool AcceptRtcp(SocketAddress from, uint? senderSsrc);

    /// <summary>
    /// The signalling named a new address (re-INVITE, from <paramref name="signallingAddress"/> when known): it is
    /// trusted at once, as the first one was.
    /// </summary>
    void Renegotiate(SocketAddress signalledRtp, IPAddress? signallingAddress = null);
}
