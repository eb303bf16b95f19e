using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// Lets the host steer devices at REGISTER time without the registrar knowing why (a draining instance
/// asks devices to register elsewhere). Asked only for authenticated requests that add or refresh
/// bindings; removals (expires 0) are always accepted.
/// </summary>
public interface ISipRegistrationPolicy
{
    SipRegistrationDecision Decide(SipRequest request);
}

/// <summary>
/// Accept, accept with a shorter expiry (RFC 3261 section 10.3 step 7 lets a registrar grant less than
/// asked, below Min-Expires too), or refuse with 503 and Retry-After (section 21.5.4) so the device tries
/// another server.
/// </summary>
public readonly record struct SipRegistrationDecision(int? MaxExpiresSeconds, int? RetryAfterSeconds)
{
    public static SipRegistrationDecision Accept { get; } = new(null, null);

    public static SipRegistrationDecision ShortenTo(int seconds) => new(seconds, null);

    public static SipRegistrationDecision RetryElsewhere(int retryAfterSeconds) => new(null, retryAfterSeconds);

    public bool Refuses => RetryAfterSeconds is not null;
}

/// <summary>The default: every registration as asked, within the registrar's own bounds.</summary>
public sealed class AcceptAllRegistrations : ISipRegistrationPolicy
{
    public static AcceptAllRegistrations Instance { get; } = new();

    public SipRegistrationDecision Decide(SipRequest request) => SipRegistrationDecision.Accept;
}
