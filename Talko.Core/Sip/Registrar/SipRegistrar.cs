using System.Globalization;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transactions;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// REGISTER processing per RFC 3261 section 10.3: digest authentication, the authenticated user may only
/// bind its own address-of-record, Contact "*" removal, Call-ID/CSeq ordering, expiry bounds (423), and a
/// 200 listing the current bindings. One address-of-record's REGISTERs are applied one after the other
/// (<see cref="AddressOfRecordTurns"/>); different addresses' go on side by side.
/// </summary>
public sealed class SipRegistrar(
    SipUserAgent agent,
    SipDigestAuthenticator authenticator,
    ISipBindingStore bindings,
    SipRegistrarOptions options,
    TimeProvider time,
    ILogger logger,
    ISipRegistrationPolicy? policy = null) : ISipRequestHandler
{
    private readonly ISipRegistrationPolicy policy = policy ?? AcceptAllRegistrations.Instance;
    private readonly AddressOfRecordTurns turns = new();

    /// <summary>When a REGISTER is refused because too many wait for its address: soon, the queue drains in milliseconds.</summary>
    private const string RetryAfterBusySeconds = "5";

    public async ValueTask HandleAsync(SipServerTransaction transaction, CancellationToken cancellationToken)
    {
        var request = transaction.Request;
        var aor = request.To.Uri.ToAddressOfRecord();
        // Taken before anything here waits, while the receive loop still holds this REGISTER: one address's REGISTERs
        // are applied in the order they arrived, whichever authenticates faster (ADR 0112).
        using var turn = await turns.TakeAsync(aor, cancellationToken);
        if (!turn.Taken)
        {
            SipRegistrarLog.TooManyWaiting(logger, aor, request.Source?.Remote.ToString(), AddressOfRecordTurns.MaxQueuedPerTurn);
            SipMetrics.Registration("refused");
            var busy = agent.CreateResponse(request, SipStatusCodes.ServiceUnavailable);
            busy.Headers.Add(SipHeaderNames.RetryAfter, RetryAfterBusySeconds);
            await transaction.SendResponseAsync(busy);
            return;
        }

        var auth = await authenticator.AuthenticateAsync(request, cancellationToken);
        if (auth.Outcome != SipAuthOutcome.Authenticated)
        {
            if (auth.Outcome != SipAuthOutcome.Challenge)
            {
                SipRegistrarLog.AuthFailed(logger, aor, request.Source?.Remote.ToString(), auth.Outcome);
            }

            if (auth.Outcome != SipAuthOutcome.Challenge)
            {
                SipMetrics.Registration("refused");
            }

            await SipAuthChallenges.RejectAsync(agent, transaction, authenticator, auth);
            return;
        }
        var credential = auth.Credential!;
        if (!string.Equals(request.To.Uri.User, credential.Username, StringComparison.OrdinalIgnoreCase))
        {
            SipMetrics.Registration("refused");
            await transaction.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.Forbidden));
            return;
        }

        var decision = request.ContactIsWildcard || request.Contacts.Count == 0 ? SipRegistrationDecision.Accept : policy.Decide(request);
        if (decision.Refuses && !RemovesOnly(request))
        {
            var refused = agent.CreateResponse(request, SipStatusCodes.ServiceUnavailable);
            refused.Headers.Add(SipHeaderNames.RetryAfter, decision.RetryAfterSeconds!.Value.ToString(CultureInfo.InvariantCulture));
            SipMetrics.Registration("refused");
            await transaction.SendResponseAsync(refused);
            return;
        }

        var (status, current) = await ApplyAsync(request, aor, credential, decision.MaxExpiresSeconds, cancellationToken);
        if (status != SipStatusCodes.Ok)
        {
            var error = agent.CreateResponse(request, status);
            if (status == SipStatusCodes.IntervalTooBrief)
            {
                error.Headers.Add(SipHeaderNames.MinExpires, options.MinExpiresSeconds.ToString(CultureInfo.InvariantCulture));
            }

            SipMetrics.Registration("refused");
            await transaction.SendResponseAsync(error);
            return;
        }

        SipMetrics.Registration(RemovesOnly(request) ? "removed" : "bound");

        var response = agent.CreateResponse(request, SipStatusCodes.Ok);
        var now = time.GetUtcNow();
        // The bindings read before the change with the change applied: no second read of the store on every REGISTER.
        foreach (var binding in current)
        {
            if (!SipNameAddress.TryParse("<" + binding.ContactUri + ">", out var contact))
            {
                continue;
            }

            contact.Parameters.Set("expires", Math.Max(0, (long)(binding.ExpiresAt - now).TotalSeconds).ToString(CultureInfo.InvariantCulture));
            response.Contacts.Add(contact);
        }
        response.Headers.Add(SipHeaderNames.Date, now.ToString("r", CultureInfo.InvariantCulture));
        await transaction.SendResponseAsync(response);
    }

    private bool RemovesOnly(SipRequest request) =>
        request.Contacts.All(c => (c.Parameters["expires"] is { } p ? long.Parse(p, CultureInfo.InvariantCulture) : request.Expires ?? options.DefaultExpiresSeconds) == 0);

    /// <summary>Applies the REGISTER; on success also returns the address-of-record's bindings as they now are.</summary>
    private async ValueTask<(int Status, IReadOnlyList<SipBinding> Current)> ApplyAsync(
        SipRequest request, string aor, SipCredential credential, int? maxExpires, CancellationToken cancellationToken)
    {
        var existing = await bindings.GetAsync(aor, cancellationToken);
        var current = existing.ToList();
        if (request.ContactIsWildcard)
        {
            // Section 10.3 step 6: "*" only with Expires: 0 and no other Contact.
            if (request.Expires != 0 || request.Contacts.Count > 0)
            {
                return (SipStatusCodes.BadRequest, current);
            }

            foreach (var b in existing)
            {
                if (b.CallId != request.CallId || b.CSeq < request.CSeq.Number)
                {
                    await bindings.RemoveAsync(aor, b.ContactUri, cancellationToken);
                    current.Remove(b);
                }
            }

            return (SipStatusCodes.Ok, current);
        }

        foreach (var contact in request.Contacts)
        {
            var expires = contact.Parameters["expires"] is { } p ? long.Parse(p, CultureInfo.InvariantCulture) : request.Expires ?? options.DefaultExpiresSeconds;
            if (expires > 0 && expires < options.MinExpiresSeconds)
            {
                return (SipStatusCodes.IntervalTooBrief, current);
            }
        }

        var count = existing.Count;
        foreach (var contact in request.Contacts)
        {
            var uri = contact.Uri.ToString();
            var expires = contact.Parameters["expires"] is { } p ? long.Parse(p, CultureInfo.InvariantCulture) : request.Expires ?? options.DefaultExpiresSeconds;
            expires = Math.Min(expires, Math.Min(options.MaxExpiresSeconds, maxExpires ?? int.MaxValue));
            var known = existing.FirstOrDefault(b => b.ContactUri == uri);
            // Step 7: the same Call-ID with a CSeq not higher is an out-of-order retransmission and is ignored.
            if (known is not null && known.CallId == request.CallId && known.CSeq >= request.CSeq.Number)
            {
                continue;
            }

            if (expires == 0)
            {
                if (known is not null)
                {
                    await bindings.RemoveAsync(aor, uri, cancellationToken);
                    current.Remove(known);
                    count--;
                }

                continue;
            }

            if (known is null && ++count > options.MaxBindingsPerAddressOfRecord)
            {
                return (SipStatusCodes.ServiceUnavailable, current);
            }

            var source = request.Source;
            var binding = new SipBinding(aor, uri, credential.UserId, credential.DeviceId, request.CallId, request.CSeq.Number,
                time.GetUtcNow().AddSeconds(expires), source?.Protocol ?? SipTransportProtocol.Udp, source?.Remote);
            await bindings.SetAsync(binding, cancellationToken);
            current.RemoveAll(b => b.ContactUri == uri);
            current.Add(binding);
            SipRegistrarLog.Registered(logger, aor, uri, expires);
        }

        return (SipStatusCodes.Ok, current);
    }
}
