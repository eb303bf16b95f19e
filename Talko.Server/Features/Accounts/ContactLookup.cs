using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts;

/// <summary>
/// Finds which lookup keys belong to discoverable users, other than the caller, in one query: the heart of contact
/// matching, where an address book of thousands of entries meets a table of millions.
/// </summary>
internal static class ContactLookup
{
    /// <summary>Below this many keys per half, a second round trip and backend cost more than they save.</summary>
    private const int MinKeysPerHalf = 500;

    public static async Task<Dictionary<string, (Guid Id, string? DisplayName)>> FindAsync(
        TalkoDbContext db, string[] wanted, Guid callerId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            return await FindOnPostgresAsync(db, wanted, callerId, cancellationToken);
        }

        // SQLite (one instance): the wanted keys go in as one JSON array parameter (json_each), and the planner probes
        // the index for each. Left to EF's default, Contains becomes "IN (@wanted1, ..., @wanted5000)": 5,000 bound
        // parameters, which SQLite took 240 ms to prepare and run against 30 ms for the same query over json_each.
        return await (
                from identifier in db.Set<UserIdentifier>()
                where EF.Parameter(wanted).Contains(identifier.LookupKey)
                join user in db.Set<User>() on identifier.UserId equals user.Id
                where user.Discoverable && user.DeletedAt == null && user.Id != callerId
                select new { identifier.LookupKey, user.Id, user.DisplayName })
            .AsNoTracking()
            .ToDictionaryAsync(r => r.LookupKey, r => (r.Id, (string?)r.DisplayName), StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>
    /// A large request is split in two halves queried at once, the second on a context (and connection) of its own:
    /// one PostgreSQL backend runs a query on one core, and the index probes are the cost (docs/benchmarks.md).
    /// </summary>
    private static async Task<Dictionary<string, (Guid Id, string? DisplayName)>> FindOnPostgresAsync(
        TalkoDbContext db, string[] wanted, Guid callerId, CancellationToken cancellationToken)
    {
        if (wanted.Length < 2 * MinKeysPerHalf)
        {
            return ToMatches(await QueryPostgresAsync(db, wanted, callerId, cancellationToken));
        }

        var half = wanted.Length / 2;
        await using var sibling = new PostgresTalkoDbContext((DbContextOptions<PostgresTalkoDbContext>)db.GetService<IDbContextOptions>());
        var halves = await Task.WhenAll(
            QueryPostgresAsync(db, wanted[..half], callerId, cancellationToken),
            QueryPostgresAsync(sibling, wanted[half..], callerId, cancellationToken));
        return ToMatches(halves[0].Concat(halves[1]));
    }

    private static Task<List<ContactRow>> QueryPostgresAsync(TalkoDbContext db, string[] wanted, Guid callerId, CancellationToken cancellationToken) =>
        // Walk the wanted keys and probe the unique lookup-key index once for each (a nested loop over unnest).
        // Written as "LookupKey = ANY(@wanted)" (what LINQ's Contains becomes), PostgreSQL plans a few thousand
        // keys as a scan of every identifier hashed against the list: 4-5 times slower at a million users
        // (docs/benchmarks.md).
        db.Database.SqlQuery<ContactRow>($"""
            SELECT i."LookupKey", u."Id", u."DisplayName"
            FROM unnest({wanted}::text[]) AS w(key)
            JOIN user_identifiers AS i ON i."LookupKey" = w.key
            JOIN users AS u ON u."Id" = i."UserId"
            WHERE u."Discoverable" AND u."DeletedAt" IS NULL AND u."Id" <> {callerId}
            """).ToListAsync(cancellationToken);

    private static Dictionary<string, (Guid Id, string? DisplayName)> ToMatches(IEnumerable<ContactRow> rows) =>
        rows.ToDictionary(r => r.LookupKey, r => (r.Id, r.DisplayName), StringComparer.Ordinal);

    private sealed class ContactRow
    {
        public required string LookupKey { get; init; }

        public Guid Id { get; init; }

        public string? DisplayName { get; init; }
    }
}
