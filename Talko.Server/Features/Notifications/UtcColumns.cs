using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Notifications;

internal static class UtcColumns
{
    /// <summary>
    /// Times are stored as UTC DateTime (comparable in SQLite queries, unlike DateTimeOffset); SQLite hands
    /// them back unmarked, so they are marked UTC on the way out.
    /// </summary>
    public static PropertyBuilder<DateTime> IsUtc(this PropertyBuilder<DateTime> property) =>
        property.HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    public static PropertyBuilder<DateTime?> IsUtc(this PropertyBuilder<DateTime?> property) =>
        property.HasConversion(v => v, v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}
