using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Accounts.Entities;

/// <summary>
/// One refresh token of a device's token family, stored as its SHA-256. Each use marks it used and
/// issues the next; presenting a used one again means it leaked, and the whole family (the device)
/// is revoked.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public Guid DeviceId { get; set; }

    public required string TokenHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime? UsedAt { get; set; }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> token)
    {
        token.ToTable("refresh_tokens");
        token.Property(t => t.TokenHash).HasMaxLength(64);
        token.Property(t => t.CreatedAt).IsUtc();
        token.Property(t => t.ExpiresAt).IsUtc();
        token.Property(t => t.UsedAt).IsUtc();
        token.HasIndex(t => t.TokenHash).IsUnique();
        token.HasIndex(t => t.DeviceId);
    }
}
