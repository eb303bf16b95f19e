namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>Why a DTLS-SRTP handshake did not produce keys.</summary>
public enum DtlsFailure
{
    /// <summary>No finished handshake within the limit (peer gone, or packets lost for too long).</summary>
    Timeout,

    /// <summary>The peer's certificate does not hash to the fingerprint its SDP announced (or it sent none).</summary>
    FingerprintMismatch,

    /// <summary>The peer offered no SRTP profile Talko speaks, or none at all.</summary>
    NoSrtpProfile,

    /// <summary>Any other TLS failure: an alert either way, a protocol error, a closed leg.</summary>
    HandshakeFailed,
}

/// <summary>A failed handshake, with the reason the caller logs as the client's mistake or a network fault.</summary>
public sealed class DtlsHandshakeException(DtlsFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public DtlsFailure Failure { get; } = failure;
}
