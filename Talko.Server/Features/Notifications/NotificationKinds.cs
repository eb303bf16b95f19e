namespace Talko.Server.Features.Notifications;

/// <summary>The kinds of notification: the in-app entry's kind, the push's kind and the webhook event type.</summary>
public static class NotificationKinds
{
    public const string ItemPosted = "item.posted";
    public const string Mention = "mention";
    public const string CallStarted = "call.started";
    public const string AddedToGroup = "group.added";
    public const string AddedToConversation = "conversation.added";
    public const string Bookmark = "bookmark";
}
