namespace Talko.Server.Data;

/// <summary>
/// Marks an entity configuration that only the PostgreSQL model applies: what SQLite has no equivalent for, such as a
/// column's collation. <see cref="TalkoDbContext"/> skips these; <see cref="PostgresTalkoDbContext"/> applies them after
/// the shared ones, so each provider's migrations describe its own schema.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PostgresOnlyAttribute : Attribute;
