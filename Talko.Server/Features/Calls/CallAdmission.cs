using Microsoft.EntityFrameworkCore;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The SIP engine's gate for calls: conference ids are call ids. An INVITE for a call owned elsewhere gets a 302 to
/// the owner (a draining instance places a call nobody owns on a serving instance and redirects there, or answers
/// 503 + Retry-After when there is none); one for a live call here is admitted when the authenticated device's user
/// is a member of the call's conversation. Scoped: the SIP hosting asks it in a scope per question
/// (<see cref="Sip.ScopedConferenceAdmission{TAdmission}"/>).
/// </summary>
public sealed class CallAdmission(CallPlacement placement, Talko.Core.Instances.InstanceLifecycle lifecycle, TalkoDbContext db) : IConferenceAdmission
{
    public async ValueTask<ConferencePlacement> PlaceAsync(string conferenceId, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(conferenceId, out var callId))
        {
            return ConferencePlacement.Refuse(SipStatusCodes.NotFound);
        }

        var location = await placement.LocateAsync(callId, cancellationToken);
        if (!location.Found)
        {
            // Draining with no serving instance to redirect to is maintenance (RFC 3261 section 21.5.4: 503, and the
            // client may try another server); otherwise the owner just vanished and the call is back shortly (480).
            return location.RetryAfter is not { } wait ? ConferencePlacement.Refuse(SipStatusCodes.NotFound)
                : lifecycle.IsDraining ? ConferencePlacement.Refuse(SipStatusCodes.ServiceUnavailable, wait)
                : ConferencePlacement.Refuse(SipStatusCodes.TemporarilyUnavailable, wait);
        }

        return location.OwnerInstanceId == lifecycle.InstanceId
            ? ConferencePlacement.Here
            : ConferencePlacement.RedirectTo(SipUri.Parse(CallPlacement.ConferenceUri(callId, location.SipAddress!)));
    }

    public async ValueTask<bool> MayJoinAsync(SipCredential caller, string conferenceId, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(conferenceId, out var callId) || !Guid.TryParse(caller.UserId, out var userId))
        {
            return false;
        }

        var call = await db.Set<Call>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId && c.EndedAt == null, cancellationToken);
        return call is not null && await ConversationAccess.FindAsync(db, call.ConversationId, userId, cancellationToken) is not null;
    }
}
