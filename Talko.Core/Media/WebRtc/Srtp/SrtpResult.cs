namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// What became of one packet given to an <see cref="SrtpContext"/>. Everything but <see cref="Ok"/> means the
/// packet was dropped; the caller counts the reasons (a burst of <see cref="AuthenticationFailed"/> is an attack
/// or a key mismatch, <see cref="Replayed"/> a duplicating network or an attack).
/// </summary>
public enum SrtpResult
{
    Ok,

    /// <summary>Shorter than a header plus the tag (and for SRTCP the index) the profile needs.</summary>
    TooShort,

    /// <summary>Not version 2, or a CSRC list or header extension that runs past the packet.</summary>
    Malformed,

    /// <summary>The buffer cannot hold the protected packet (protecting adds the profile's overhead).</summary>
    BufferTooSmall,

    /// <summary>The tag did not match: wrong keys, a corrupted packet, or a forgery.</summary>
    AuthenticationFailed,

    /// <summary>A packet index already received inside the replay window (RFC 3711 section 3.3.2).</summary>
    Replayed,

    /// <summary>A packet index older than the replay window reaches; it can no longer be told from a replay.</summary>
    TooOld,

    /// <summary>A new SSRC beyond the number of streams one context tracks.</summary>
    TooManyStreams,

    /// <summary>The sender ran out of SRTCP indexes (2^31 packets) or packet indexes (2^48); the keys must change.</summary>
    KeyExhausted,
}
