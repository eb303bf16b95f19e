using System.Net;
using System.Net.Sockets;

namespace Talko.Core.Media.Engine;

/// <summary>
/// How a <see cref="MediaLeg"/>'s packets travel: a plain RTP/RTCP socket pair (<see cref="UdpMediaLegTransport"/>) or
/// one WebRTC socket with ICE, DTLS and SRTP (<see cref="WebRtcMediaLegTransport"/>). The leg's RTP, jitter, mixer and
/// RTCP code is the same for both; the transport receives, hands plain RTP and RTCP to the leg, and sends what the leg
/// writes.
/// </summary>
internal interface IMediaLegTransport : IDisposable
{
    /// <summary>The local RTP endpoint (for plain RTP the SDP's port; RTCP is the next one up).</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>The address family of the leg's sockets: signalled addresses are expressed in it.</summary>
    AddressFamily AddressFamily { get; }

    /// <summary>Starts the receive loops, which hand packets to <paramref name="leg"/> until <paramref name="stopping"/> fires.</summary>
    Task[] Start(MediaLeg leg, CancellationToken stopping);

    /// <summary>Sends an RTP packet; <paramref name="packet"/> may be changed in place. False: not sent (a WebRTC leg before its keys).</summary>
    bool SendRtp(Span<byte> packet, SocketAddress target);

    /// <summary>Sends an RTCP compound packet; false when not sent.</summary>
    bool SendRtcp(Span<byte> packet, SocketAddress target);
}
