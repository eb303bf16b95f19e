using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transactions;

namespace Talko.Core.Sip.Registrar;

/// <summary>Turns an authentication outcome into the response a UAS sends (RFC 3261 section 22.1).</summary>
public static class SipAuthChallenges
{
    /// <summary>Answers a request that did not authenticate: 401 with challenges, or 403.</summary>
    public static ValueTask RejectAsync(SipUserAgent agent, SipServerTransaction transaction, SipDigestAuthenticator authenticator, SipAuthResult result)
    {
        if (result.Outcome is SipAuthOutcome.Challenge or SipAuthOutcome.Stale)
        {
            var response = agent.CreateResponse(transaction.Request, SipStatusCodes.Unauthorized);
            foreach (var challenge in authenticator.CreateChallenges(result.Outcome == SipAuthOutcome.Stale, transaction.Request.Headers.Get(SipHeaderNames.UserAgent)))
            {
                response.Headers.Add(SipHeaderNames.WwwAuthenticate, challenge);
            }

            return transaction.SendResponseAsync(response);
        }
        return transaction.SendResponseAsync(agent.CreateResponse(transaction.Request, SipStatusCodes.Forbidden));
    }
}
