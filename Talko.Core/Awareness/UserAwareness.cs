namespace Talko.Core.Awareness;

/// <summary>
/// What teammates see of a user, aggregated over the user's devices: online if any device is, the most
/// recent specific activity, the most recently set status text. Carries no timestamps, so it changes
/// only when something a watcher sees changes.
/// </summary>
public sealed record UserAwareness(string UserId, Presence Presence, Activity Activity, string? StatusText)
{
    public static UserAwareness Offline(string userId) => new(userId, Presence.Offline, Activity.None, null);
}
