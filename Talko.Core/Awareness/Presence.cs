namespace Talko.Core.Awareness;

/// <summary>
/// Whether someone can be reached. The numeric order matters: a user's presence is the highest of
/// their devices' (online if any device is online, else away if any is away).
/// </summary>
public enum Presence
{
    Offline = 0,

    /// <summary>Connected but idle longer than <see cref="AwarenessOptions.AwayAfter"/>.</summary>
    Away = 1,

    Online = 2,
}
