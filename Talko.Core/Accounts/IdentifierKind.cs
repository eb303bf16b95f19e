namespace Talko.Core.Accounts;

/// <summary>What a sign-in identifier is; a user may verify one of each.</summary>
public enum IdentifierKind
{
    Email,
    Phone,
}
