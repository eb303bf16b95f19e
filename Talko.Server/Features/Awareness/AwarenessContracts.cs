using Talko.Core.Awareness;

namespace Talko.Server.Features.Awareness;

/// <summary>One user's awareness as clients see it: the "awareness" hub event and the snapshot entries.</summary>
public sealed record AwarenessView(string UserId, Presence Presence, ActivityView Activity, string? StatusText)
{
    /// <summary>The hub event that carries one changed <see cref="AwarenessView"/>.</summary>
    public const string EventName = "awareness";

    public static AwarenessView From(UserAwareness awareness) =>
        new(awareness.UserId, awareness.Presence, ActivityView.From(awareness.Activity), awareness.StatusText);
}

public sealed record ActivityView(ActivityKind Kind, string? ConversationId, string? CallId, bool Muted, bool Talking, long? PositionMs)
{
    public static ActivityView From(Activity activity) =>
        new(activity.Kind, activity.ConversationId, activity.CallId, activity.Muted, activity.Talking, activity.PositionMs);

    public Activity ToActivity() => new()
    {
        Kind = Kind,
        ConversationId = ConversationId,
        CallId = CallId,
        Muted = Muted,
        Talking = Talking,
        PositionMs = PositionMs,
    };
}

/// <summary>The caller is not a member of the conversation (or it does not exist; the two are not told apart).</summary>
public sealed class NotMemberException : Exception
{
    public NotMemberException()
        : base("Not a member of that conversation.")
    {
    }
}
