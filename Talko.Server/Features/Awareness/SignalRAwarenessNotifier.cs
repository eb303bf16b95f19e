using Microsoft.AspNetCore.SignalR;
using Talko.Core.Awareness;

namespace Talko.Server.Features.Awareness;

/// <summary>
/// Sends each change to the users who share a conversation with its subject (and to the subject's
/// other devices), once per user however many conversations they share: per-user delivery, not per
/// conversation group, so nobody hears a change twice. Through the Redis backplane when scaled out.
/// </summary>
internal sealed class SignalRAwarenessNotifier(IHubContext hub, IAwarenessAudience audience) : IAwarenessNotifier
{
    public async Task PublishAsync(IReadOnlyList<UserAwareness> changes)
    {
        foreach (var change in changes)
        {
            var watchers = await audience.WatchersOfAsync(change.UserId);
            if (watchers.Count > 0)
            {
                await hub.Clients.Users(watchers).SendAsync(AwarenessView.EventName, AwarenessView.From(change));
            }
        }
    }
}
