using Microsoft.EntityFrameworkCore;
using Talko.Core.Accounts;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>
/// The contact query on PostgreSQL, below and above the size where it is split over two connections: every match is
/// found whichever half its key falls in, and the caller and undiscoverable or deleted users never are.
/// </summary>
public sealed class ContactLookupPostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly List<(Guid Id, string Key)> discoverable = [];
    private (Guid Id, string Key) caller;
    private (Guid Id, string Key) hidden;
    private (Guid Id, string Key) deleted;

    public async Task InitializeAsync()
    {
        await using var db = Context();
        await db.Database.MigrateAsync();
        for (var i = 0; i < 6; i++)
        {
            // Keys from "0..." to "f...": with thousands of random unknown keys around them, some fall in each half.
            discoverable.Add(Add(db, $"person {i}", discoverable: true, deletedAt: null, firstHexDigit: "0369cf"[i]));
        }

        caller = Add(db, "caller", discoverable: true, deletedAt: null);
        hidden = Add(db, "hidden", discoverable: false, deletedAt: null);
        deleted = Add(db, "deleted", discoverable: true, deletedAt: DateTime.UtcNow);
        await db.SaveChangesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(20)]
    [InlineData(2_400)]
    public async Task Every_discoverable_match_is_found_and_nobody_else(int unknownKeys)
    {
        var wanted = discoverable.Select(d => d.Key).Concat([caller.Key, hidden.Key, deleted.Key])
            .Concat(Enumerable.Range(0, unknownKeys).Select(_ => Guid.NewGuid().ToString("N")))
            .Order(StringComparer.Ordinal).ToArray();

        await using var db = Context();
        var found = await ContactLookup.FindAsync(db, wanted, caller.Id, CancellationToken.None);

        Assert.Equal(discoverable.Select(d => d.Key).Order(StringComparer.Ordinal), found.Keys.Order(StringComparer.Ordinal));
        Assert.All(discoverable, d => Assert.Equal(d.Id, found[d.Key].Id));
    }

    private PostgresTalkoDbContext Context() =>
        new(new DbContextOptionsBuilder<PostgresTalkoDbContext>().UseNpgsql(postgres.ConnectionString).Options);

    /// <summary>Lookup keys spread over the key space (hex of random GUIDs, as the real keys are hex of an HMAC).</summary>
    private static (Guid Id, string Key) Add(TalkoDbContext db, string name, bool discoverable, DateTime? deletedAt, char? firstHexDigit = null)
    {
        var user = new User { Id = Guid.NewGuid(), DisplayName = name, Discoverable = discoverable, CreatedAt = DateTime.UtcNow, DeletedAt = deletedAt };
        var key = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        if (firstHexDigit is { } first)
        {
            key = first + key[1..];
        }

        db.Add(user);
        db.Add(new UserIdentifier { Id = Guid.NewGuid(), UserId = user.Id, Kind = IdentifierKind.Email, LookupKey = key, Hint = "p***@example.com", VerifiedAt = DateTime.UtcNow });
        return (user.Id, key);
    }
}
