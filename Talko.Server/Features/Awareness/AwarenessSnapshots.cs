using Microsoft.Extensions.Options;
using Talko.Core.Awareness;

namespace Talko.Server.Features.Awareness;

/// <summary>A conversation's members' awareness, for members only; shared by the REST endpoint and the hub method.</summary>
public sealed class AwarenessSnapshots(IAwarenessStore store, IAwarenessAudience audience, IOptions<AwarenessOptions> options)
{
    public async Task<IReadOnlyList<AwarenessView>> ForConversationAsync(string conversationId, string userId, CancellationToken cancellationToken)
    {
        var members = await RequireMemberAsync(conversationId, userId, cancellationToken);
        var users = members.Order(StringComparer.Ordinal).Take(options.Value.MaxSnapshotUsers).ToList();
        return (await store.GetAsync(users)).Select(AwarenessView.From).ToList();
    }

    public async Task<IReadOnlyCollection<string>> RequireMemberAsync(string conversationId, string userId, CancellationToken cancellationToken)
    {
        AwarenessValidation.Id(conversationId, nameof(conversationId), options.Value);
        var members = await audience.MembersOfAsync(conversationId, cancellationToken);
        return members is not null && members.Contains(userId) ? members : throw new NotMemberException();
    }
}
