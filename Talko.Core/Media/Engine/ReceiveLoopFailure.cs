using System.Net.Sockets;

namespace Talko.Core.Media.Engine;

/// <summary>What a leg's receive loop (plain RTP, RTCP or WebRTC) does with an exception from its socket.</summary>
internal static class ReceiveLoopFailure
{
    /// <summary>
    /// True when the loop must end (the leg is closing). An ICMP error for an earlier send (the peer is not listening
    /// yet) or an oversized datagram is ignored; anything else is reported to the leg, and the loop goes on.
    /// </summary>
    public static bool EndsLoop(Exception exception, MediaLeg leg)
    {
        switch (exception)
        {
            case OperationCanceledException or ObjectDisposedException:
                return true;
            case SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize }:
                return false;
            default:
                leg.ReceiveFailed(exception);
                return false;
        }
    }
}
