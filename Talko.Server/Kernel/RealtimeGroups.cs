namespace Talko.Server.Kernel;

/// <summary>
/// SignalR group names. Every connection joins <see cref="User"/> for its user and <see cref="Conversation"/>
/// for each conversation its user is a member of; membership changes move connections on every instance.
/// </summary>
public static class RealtimeGroups
{
    public static string Conversation(Guid conversationId) => $"conv:{conversationId}";

    public static string User(Guid userId) => $"user:{userId}";
}
