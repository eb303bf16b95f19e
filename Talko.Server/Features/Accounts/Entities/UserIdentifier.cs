using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Core.Accounts;
using Talko.Server.Data;

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

/// <summary>
/// Lookup keys are base64url HMACs, equal only byte for byte. In the "C" collation PostgreSQL compares them with memcmp
/// instead of the database's locale (strcoll for C.UTF-8 and the like), which makes the thousands of index probes of one
/// contact match cheaper (docs/benchmarks.md). SQLite already compares them as bytes.
/// </summary>
[PostgresOnly]
internal sealed class UserIdentifierPostgresConfiguration : IEntityTypeConfiguration<UserIdentifier>
{
    public void Configure(EntityTypeBuilder<UserIdentifier> identifier) => identifier.Property(i => i.LookupKey).UseCollation("C");
}
