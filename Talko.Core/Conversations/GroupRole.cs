namespace Talko.Core.Conversations;

/// <summary>A member's role in a group, from most to least powerful.</summary>
public enum GroupRole
{
    Owner,
    Admin,
    Member,
}
