namespace Talko.Core.Conversations;

/// <summary>
/// Who may do what in a group and its conversations. Owners do everything; admins manage members and
/// conversations but not owners; members take part. Every endpoint asks here, so the rules live once.
/// </summary>
public static class GroupPermissions
{
    public static bool CanRenameGroup(GroupRole actor) => actor is GroupRole.Owner or GroupRole.Admin;

    public static bool CanAddMembers(GroupRole actor) => actor is GroupRole.Owner or GroupRole.Admin;

    /// <summary>Only owners hand out admin or owner; admins may add plain members.</summary>
    public static bool CanGrant(GroupRole actor, GroupRole granted) =>
        actor == GroupRole.Owner || (actor == GroupRole.Admin && granted == GroupRole.Member);

    /// <summary>Owners change anyone's role; nobody else changes roles.</summary>
    public static bool CanChangeRole(GroupRole actor, GroupRole target, GroupRole newRole) => actor == GroupRole.Owner;

    /// <summary>Owners remove anyone; admins remove plain members only.</summary>
    public static bool CanRemove(GroupRole actor, GroupRole target) =>
        actor == GroupRole.Owner || (actor == GroupRole.Admin && target == GroupRole.Member);

    /// <summary>The group must keep an owner: the last one cannot leave, be removed or step down without handing over.</summary>
    public static bool WouldOrphanGroup(GroupRole target, int ownerCount, GroupRole? newRole = null) =>
        target == GroupRole.Owner && ownerCount <= 1 && newRole != GroupRole.Owner;

    public static bool CanCreateConversation(GroupRole actor) => true;

    /// <summary>Renaming, archiving and choosing members of a conversation: its creator, or a group owner or admin.</summary>
    public static bool CanManageConversation(GroupRole actor, bool isCreator) =>
        isCreator || actor is GroupRole.Owner or GroupRole.Admin;

    /// <summary>Only the author edits or deletes an item; system items have no human author and stay.</summary>
    public static bool CanChangeItem(Guid actor, Guid author, ItemKind kind) => kind != ItemKind.System && actor == author;

    /// <summary>A tag or bookmark is removed by whoever added it, or by a group owner or admin.</summary>
    public static bool CanRemoveAnnotation(Guid actor, GroupRole actorRole, Guid addedBy) =>
        actor == addedBy || actorRole is GroupRole.Owner or GroupRole.Admin;
}
