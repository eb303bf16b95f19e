using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Notifications.InApp;

/// <summary>
/// A user's do-not-disturb hours: pushes between <see cref="QuietFrom"/> and <see cref="QuietUntil"/> in
/// the user's time zone are silent (no alert, no sound; the badge still updates). A window may cross midnight.
/// </summary>
public sealed class NotificationPreferences
{
    public const int TimeZoneMaxLength = 64;

    public Guid UserId { get; set; }

    public TimeOnly? QuietFrom { get; set; }

    public TimeOnly? QuietUntil { get; set; }

    /// <summary>IANA time zone id ("Europe/Berlin").</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Whether <paramref name="now"/> falls in the quiet hours.</summary>
    public bool IsQuiet(DateTimeOffset now)
    {
        if (QuietFrom is not { } from || QuietUntil is not { } until || from == until)
        {
            return false;
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return from < until ? local >= from && local < until : local >= from || local < until;
    }
}

internal sealed class NotificationPreferencesConfiguration : IEntityTypeConfiguration<NotificationPreferences>
{
    public void Configure(EntityTypeBuilder<NotificationPreferences> preferences)
    {
        preferences.ToTable("notification_preferences");
        preferences.HasKey(p => p.UserId);
        preferences.Property(p => p.TimeZone).HasMaxLength(NotificationPreferences.TimeZoneMaxLength);
    }
}
