using Talko.Core.Media.WebRtc;
using Talko.Core.Media.WebRtc.Dtls;

namespace Talko.Server.Hosting.Telemetry;

/// <summary>
/// The label values of the WebRTC drop and handshake counters: spelled out, so renaming an enum member cannot rename a
/// series that dashboards and alerts query.
/// </summary>
internal static class WebRtcMetricLabels
{
    public static string Label(this WebRtcDropReason reason) => reason switch
    {
        WebRtcDropReason.UnknownProtocol => "unknown_protocol",
        WebRtcDropReason.StunMalformed => "stun_malformed",
        WebRtcDropReason.StunRefused => "stun_refused",
        WebRtcDropReason.DtlsStranger => "dtls_unknown_source",
        WebRtcDropReason.DtlsMalformed => "dtls_malformed",
        WebRtcDropReason.DtlsTooLarge => "dtls_too_large",
        WebRtcDropReason.DtlsOverflow => "dtls_overflow",
        WebRtcDropReason.DtlsClosed => "dtls_closed",
        WebRtcDropReason.MediaStranger => "media_unknown_source",
        WebRtcDropReason.MediaBeforeKeys => "media_before_keys",
        WebRtcDropReason.SrtpMalformed => "srtp_malformed",
        WebRtcDropReason.SrtpAuthenticationFailed => "srtp_auth_failed",
        WebRtcDropReason.SrtpReplayed => "srtp_replayed",
        WebRtcDropReason.SrtpTooOld => "srtp_too_old",
        WebRtcDropReason.SrtpTooManyStreams => "srtp_too_many_streams",
        _ => "other",
    };

    public static string Label(this DtlsFailure failure) => failure switch
    {
        DtlsFailure.Timeout => "timeout",
        DtlsFailure.FingerprintMismatch => "fingerprint_mismatch",
        DtlsFailure.NoSrtpProfile => "no_srtp_profile",
        _ => "handshake_failed",
    };
}
