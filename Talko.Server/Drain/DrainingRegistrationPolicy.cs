using Microsoft.Extensions.Options;
using Talko.Core.Instances;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;

namespace Talko.Server.Drain;

/// <summary>
/// Steers SIP devices away from a draining instance at their next REGISTER: a short expiry (they come
/// back soon and land elsewhere) or 503 with Retry-After (they try their next server), per
/// <see cref="DrainOptions.SipSteering"/> and the device's User-Agent. A serving instance accepts as asked.
/// </summary>
public sealed class DrainingRegistrationPolicy(InstanceLifecycle lifecycle, IOptions<DrainOptions> options) : ISipRegistrationPolicy
{
    public SipRegistrationDecision Decide(SipRequest request)
    {
        if (!lifecycle.IsDraining)
        {
            return SipRegistrationDecision.Accept;
        }

        var drain = options.Value;
        var userAgent = request.Headers.Get(SipHeaderNames.UserAgent) ?? string.Empty;
        var refuse = drain.SipSteering == SipDrainSteering.RetryElsewhere
            || drain.SipRetryElsewhereUserAgents.Any(ua => ua.Length > 0 && userAgent.Contains(ua, StringComparison.OrdinalIgnoreCase));
        return refuse
            ? SipRegistrationDecision.RetryElsewhere(drain.SipRetryAfterSeconds)
            : SipRegistrationDecision.ShortenTo(drain.SipShortExpirySeconds);
    }
}
