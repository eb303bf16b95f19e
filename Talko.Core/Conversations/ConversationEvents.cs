namespace Talko.Core.Conversations;

/// <summary>
/// A committed change in a conversation, published after the transaction that made it (never before).
/// <see cref="Name"/> is the realtime method clients receive; docs/realtime.md lists each with its payload.
/// </summary>
public abstract record ConversationEvent(Guid ConversationId)
{
    public abstract string Name { get; }

    /// <summary>What clients receive.</summary>
    public abstract object Payload { get; }

    /// <summary>Set when only this user's devices may see the event (flags, read state); otherwise every member's.</summary>
    public virtual Guid? Recipient => null;
}

/// <summary>A new item: text, photo, voice clip or system item.</summary>
public sealed record ItemCreated(TimelineItem Item) : ConversationEvent(Item.ConversationId)
{
    public override string Name => "itemCreated";

    public override object Payload => Item;
}

/// <summary>An item edited, or deleted (then <see cref="TimelineItem.DeletedAt"/> is set: a tombstone).</summary>
public sealed record ItemUpdated(TimelineItem Item) : ConversationEvent(Item.ConversationId)
{
    public override string Name => "itemUpdated";

    public override object Payload => Item;
}

public sealed record TagChanged(TagView Tag) : ConversationEvent(Tag.ConversationId)
{
    public override string Name => "tagChanged";

    public override object Payload => Tag;
}

public sealed record BookmarkChanged(BookmarkView Bookmark) : ConversationEvent(Bookmark.ConversationId)
{
    public override string Name => "bookmarkChanged";

    public override object Payload => Bookmark;
}

public sealed record FlagChanged(Guid UserId, FlagView Flag) : ConversationEvent(Flag.ConversationId)
{
    public override string Name => "flagChanged";

    public override object Payload => Flag;

    public override Guid? Recipient => UserId;
}

public sealed record ReadStateChanged(ConversationMemberView Member) : ConversationEvent(Member.ConversationId)
{
    public override string Name => "readStateChanged";

    public override object Payload => Member;

    public override Guid? Recipient => Member.UserId;
}

/// <summary>Someone joined or left the conversation. The realtime layer also moves that person's connections in or out of it.</summary>
public sealed record MembershipChanged(ConversationMemberView Member) : ConversationEvent(Member.ConversationId)
{
    public override string Name => "membershipChanged";

    public override object Payload => Member;
}

/// <summary>Title, tags or archive state changed. Carries no per-member read state (that is <see cref="ReadStateChanged"/>).</summary>
public sealed record ConversationUpdated(ConversationView Conversation) : ConversationEvent(Conversation.Id)
{
    public override string Name => "conversationUpdated";

    public override object Payload => Conversation with { LastReadSeq = 0, UnreadCount = 0 };
}
