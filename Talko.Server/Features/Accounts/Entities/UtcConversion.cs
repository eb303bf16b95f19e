using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Talko.Server.Features.Accounts.Entities;

internal static class UtcConversion
{
    /// <summary>
    /// Times are stored as UTC DateTime (comparable in queries on both SQLite and PostgreSQL, unlike
    /// DateTimeOffset on SQLite); SQLite hands them back unmarked, so mark them UTC on the way out.
    /// </summary>
    public static PropertyBuilder<DateTime> IsUtc(this PropertyBuilder<DateTime> property) =>
        property.HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    public static PropertyBuilder<DateTime?> IsUtc(this PropertyBuilder<DateTime?> property) =>
        property.HasConversion(v => v, v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}
