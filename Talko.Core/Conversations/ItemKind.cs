namespace Talko.Core.Conversations;

public enum ItemKind
{
    Text,
    Photo,
    VoiceClip,

    /// <summary>Written by Talko itself: member added or removed, call started or ended.</summary>
    System,
}
