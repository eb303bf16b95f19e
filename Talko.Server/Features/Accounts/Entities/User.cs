using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Accounts.Entities;

/// <summary>
/// A Talko account. A deleted account stays as a tombstone (no name, no identifiers, no devices) so
/// content it authored keeps a valid author (docs/privacy.md).
/// </summary>
public sealed class User
{
    public const int DisplayNameMaxLength = 64;

    public Guid Id { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>Whether others can find this user through contact matching.</summary>
    public bool Discoverable { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime? DeletedAt { get; set; }

    public List<UserIdentifier> Identifiers { get; set; } = [];

    public List<Device> Devices { get; set; } = [];
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("users");
        user.Property(u => u.DisplayName).HasMaxLength(User.DisplayNameMaxLength);
        user.Property(u => u.CreatedAt).IsUtc();
        user.Property(u => u.DeletedAt).IsUtc();
        user.HasMany(u => u.Identifiers).WithOne().HasForeignKey(i => i.UserId).OnDelete(DeleteBehavior.Cascade);
        user.HasMany(u => u.Devices).WithOne().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
