using Talko.Server.Features.Accounts;

namespace Talko.Server.Features.Groups;

/// <summary>A pending invite becomes membership the moment its invitee registers (or adds the invited identifier).</summary>
internal sealed class ClaimInvitesOnVerification(GroupMembership membership) : IIdentifierVerifiedListener
{
    public Task OnIdentifierVerifiedAsync(Guid userId, CancellationToken cancellationToken) =>
        membership.ClaimInvitesAsync(userId, cancellationToken);
}
