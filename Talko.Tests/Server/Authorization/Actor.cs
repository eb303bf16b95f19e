namespace Talko.Tests.Server.Authorization;

/// <summary>
/// Who calls, in the matrix. Roles are those of the world's group (see <see cref="AuthorizationWorld"/>); the
/// personal resources of the world (a device, an identifier, a notification) belong to <see cref="Member"/>.
/// </summary>
public enum Actor
{
    /// <summary>No token, no key.</summary>
    Anonymous,

    /// <summary>No user token, but the deployment's admin key (X-Talko-Admin-Key).</summary>
    Operator,

    /// <summary>A signed-up user in no group at all.</summary>
    Stranger,

    /// <summary>Was a member of the group and its conversation, then was removed; the token still works.</summary>
    Removed,

    /// <summary>Still in the group, but removed from its conversation (whose membership row stays, marked removed).</summary>
    Dropped,

    /// <summary>A plain member of the group and its conversation; neither the conversation's creator nor the call's starter.</summary>
    Member,

    /// <summary>A group admin.</summary>
    Admin,

    /// <summary>The group's owner, who created the conversation and started the call.</summary>
    Owner,
}
