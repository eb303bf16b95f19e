namespace Talko.Core.Media.WebRtc;

/// <summary>Why a <see cref="WebRtcTransport"/> dropped a datagram; each has its own counter.</summary>
public enum WebRtcDropReason
{
    /// <summary>A first byte no protocol of the transport claims (RFC 7983).</summary>
    UnknownProtocol,
    StunMalformed,

    /// <summary>A STUN request refused or not answered: bad credentials, role conflict, unknown attributes, lapsed consent, full pair table.</summary>
    StunRefused,
    DtlsStranger,
    DtlsMalformed,
    DtlsTooLarge,
    DtlsOverflow,
    DtlsClosed,

    /// <summary>SRTP or SRTCP from an address without a valid ICE check (or after consent lapsed).</summary>
    MediaStranger,

    /// <summary>SRTP or SRTCP before the DTLS handshake produced keys.</summary>
    MediaBeforeKeys,
    SrtpMalformed,
    SrtpAuthenticationFailed,
    SrtpReplayed,
    SrtpTooOld,
    SrtpTooManyStreams,
}
