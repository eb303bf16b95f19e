namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>What became of one datagram offered to a <see cref="DtlsPacketChannel"/>; the caller counts all but <see cref="Queued"/>.</summary>
public enum DtlsIntakeResult
{
    Queued,

    /// <summary>From an address that is not the peer's (no valid ICE check from it): dropped.</summary>
    Stranger,

    /// <summary>Not a sequence of DTLS records with sane content types, versions and lengths: dropped.</summary>
    Malformed,

    /// <summary>Larger than the channel's datagram limit: dropped.</summary>
    TooLarge,

    /// <summary>The handshake is not draining the queue (a flood): dropped.</summary>
    Overflow,

    /// <summary>The channel is closed: dropped.</summary>
    Closed,
}
