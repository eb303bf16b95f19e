namespace Talko.Core.Media.WebRtc.Ice;

/// <summary>What the ICE-lite responder did with one STUN datagram; the caller counts everything but the answered kinds.</summary>
public enum IceCheckResult
{
    /// <summary>A valid connectivity check, answered with a success response.</summary>
    Answered,

    /// <summary>A valid check with USE-CANDIDATE: answered, and its source is now the selected pair.</summary>
    Nominated,

    /// <summary>Not a STUN message, or one that fails validation (lengths, FINGERPRINT): dropped.</summary>
    Malformed,

    /// <summary>An indication (a keepalive) or a response: nothing to answer, since a lite agent sends no requests.</summary>
    Ignored,

    /// <summary>A request for a method other than Binding: dropped.</summary>
    UnsupportedMethod,

    /// <summary>USERNAME or MESSAGE-INTEGRITY missing: answered 400.</summary>
    BadRequest,

    /// <summary>USERNAME not ours, or MESSAGE-INTEGRITY wrong: answered 401 (without integrity, having no key the peer proved).</summary>
    Unauthorized,

    /// <summary>Comprehension-required attributes Talko does not know: answered 420 naming them.</summary>
    UnknownAttributes,

    /// <summary>The peer also claims the controlled role; a lite agent is always controlled (RFC 8445 6.1.1): answered 487.</summary>
    RoleConflict,

    /// <summary>A valid check from a new address while the pair table is full: dropped.</summary>
    TooManyPairs,

    /// <summary>Consent has lapsed; the responder answers nothing more (RFC 7675 section 5.1).</summary>
    ConsentLapsed,
}
