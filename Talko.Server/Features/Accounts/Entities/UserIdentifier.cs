using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Core.Accounts;

namespace Talko.Server.Features.Accounts.Entities;

/// <summary>
/// A verified email address or phone number, kept only as its keyed lookup hash
/// (<see cref="IdentifierHasher"/>) and a masked hint for display; the identifier itself is not stored.
/// </summary>
public sealed class UserIdentifier
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public IdentifierKind Kind { get; set; }

    /// <summary>HMAC-SHA256 of the normalised identifier's SHA-256, base64url; unique across all users.</summary>
    public required string LookupKey { get; set; }

    public required string Hint { get; set; }

    public DateTime VerifiedAt { get; set; }
}

internal sealed class UserIdentifierConfiguration : IEntityTypeConfiguration<UserIdentifier>
{
    public void Configure(EntityTypeBuilder<UserIdentifier> identifier)
    {
        identifier.ToTable("user_identifiers");
        identifier.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
        identifier.Property(i => i.LookupKey).HasMaxLength(64);
        identifier.Property(i => i.Hint).HasMaxLength(128);
        identifier.Property(i => i.VerifiedAt).IsUtc();
        identifier.HasIndex(i => i.LookupKey).IsUnique();
    }
}
