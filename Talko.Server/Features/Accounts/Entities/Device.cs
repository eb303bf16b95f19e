using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Accounts.Entities;

/// <summary>
/// One signed-in app or SIP phone of a user. Its refresh tokens form one token family; removing the
/// device (logout, delete, refresh token reuse) ends every token it holds.
/// </summary>
public sealed class Device
{
    public const int NameMaxLength = 64;
    public const int PushTokenMaxLength = 512;

    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public DevicePlatform Platform { get; set; }

    public required string Name { get; set; }

    public string? PushToken { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime LastSeenAt { get; set; }

    /// <summary>The device's SIP digest username (unique).</summary>
    public required string SipUsername { get; set; }

    /// <summary>The realm the H(A1) values below were computed for.</summary>
    public required string SipRealm { get; set; }

    /// <summary>MD5 H(A1), lower-case hex (RFC 2617 section 3.2.2.2).</summary>
    public required string SipHa1Md5 { get; set; }

    /// <summary>SHA-256 H(A1), lower-case hex (RFC 7616 section 3.4.2).</summary>
    public required string SipHa1Sha256 { get; set; }

    public List<RefreshToken> RefreshTokens { get; set; } = [];
}

public enum DevicePlatform
{
    Ios,
    Android,
    Web,
    Sip,
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> device)
    {
        device.ToTable("devices");
        device.Property(d => d.Platform).HasConversion<string>().HasMaxLength(16);
        device.Property(d => d.Name).HasMaxLength(Device.NameMaxLength);
        device.Property(d => d.PushToken).HasMaxLength(Device.PushTokenMaxLength);
        device.Property(d => d.CreatedAt).IsUtc();
        device.Property(d => d.LastSeenAt).IsUtc();
        device.Property(d => d.SipUsername).HasMaxLength(64);
        device.Property(d => d.SipRealm).HasMaxLength(128);
        device.Property(d => d.SipHa1Md5).HasMaxLength(32);
        device.Property(d => d.SipHa1Sha256).HasMaxLength(64);
        device.HasIndex(d => d.SipUsername).IsUnique();
        device.HasIndex(d => d.UserId);
        device.HasMany(d => d.RefreshTokens).WithOne().HasForeignKey(t => t.DeviceId).OnDelete(DeleteBehavior.Cascade);
    }
}
