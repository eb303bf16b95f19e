namespace Talko.Core.Awareness;

/// <summary>What a device is doing. The numbers are part of the stored format (the Redis scripts read them).</summary>
public enum ActivityKind
{
    None = 0,

    /// <summary>Has a conversation open.</summary>
    Viewing = 1,

    /// <summary>Typing in a conversation; reverts to <see cref="Viewing"/> by itself after <see cref="AwarenessOptions.TypingTimeout"/>.</summary>
    Typing = 2,

    /// <summary>Taking part in a live call (muted or not, talking or not).</summary>
    InCall = 3,

    /// <summary>Listening to a call's recording, at a position.</summary>
    Listening = 4,
}
