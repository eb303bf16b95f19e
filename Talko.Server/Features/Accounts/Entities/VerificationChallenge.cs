using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Accounts.Entities;

/// <summary>An outstanding one-time code for an identifier, kept as a keyed hash with its expiry and attempt count.</summary>
public sealed class VerificationChallenge
{
    public Guid Id { get; set; }

    /// <summary>The identifier's lookup key (the code's identifier is never stored in clear).</summary>
    public required string LookupKey { get; set; }

    public ChallengePurpose Purpose { get; set; }

    /// <summary>For <see cref="ChallengePurpose.AddIdentifier"/>: the user adding it.</summary>
    public Guid? UserId { get; set; }

    public required string CodeHash { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }
}

public enum ChallengePurpose
{
    SignIn,
    AddIdentifier,
}

internal sealed class VerificationChallengeConfiguration : IEntityTypeConfiguration<VerificationChallenge>
{
    public void Configure(EntityTypeBuilder<VerificationChallenge> challenge)
    {
        challenge.ToTable("verification_challenges");
        challenge.Property(c => c.LookupKey).HasMaxLength(64);
        challenge.Property(c => c.Purpose).HasConversion<string>().HasMaxLength(16);
        challenge.Property(c => c.CodeHash).HasMaxLength(64);
        challenge.Property(c => c.CreatedAt).IsUtc();
        challenge.Property(c => c.ExpiresAt).IsUtc();
        challenge.HasIndex(c => c.LookupKey);
        challenge.HasIndex(c => c.ExpiresAt);
    }
}
