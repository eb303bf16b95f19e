using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Core.Ephemeral;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts;

/// <summary>Contact matching: which entries of an address book belong to discoverable Talko users. Nothing uploaded is stored.</summary>
public static class ContactsApi
{
    /// <summary>Field errors listed per request at most; the rest are summarised, so a bad upload gets a bounded answer.</summary>
    private const int MaxReportedErrors = 100;

    public static IEndpointRouteBuilder MapContactsApi(this IEndpointRouteBuilder routes)
    {
        var contacts = routes.MapGroup("/v1/contacts").WithTags("Contacts").RequireAuthorization();
        contacts.MapPost("/match", Match).WithSummary("Match address-book entries (raw or SHA-256) against discoverable users");
        return routes;
    }

    private static async Task<Results<Ok<ContactMatchResponse>, ValidationProblem, ProblemHttpResult>> Match(
        ContactMatchRequest request,
        HttpContext http,
        IdentifierNormalizer normalizer,
        ServerKeys keys,
        TalkoDbContext db,
        IEphemeralStore store,
        KeySpace keySpace,
        IOptions<AccountsOptions> options)
    {
        var settings = options.Value;
        var validation = new Validation();
        var entries = request.Entries;
        if (entries is null || entries.Count == 0)
        {
            validation.Add("entries", "At least one entry is required.");
            return TypedResults.ValidationProblem(validation.Errors);
        }

        if (entries.Count > settings.ContactMatchMaxEntries)
        {
            validation.Add("entries", $"At most {settings.ContactMatchMaxEntries} entries per request; got {entries.Count}.");
            validation.Add($"entries[{settings.ContactMatchMaxEntries}]", $"Entries from position {settings.ContactMatchMaxEntries} on exceed the limit.");
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var lookups = new (string Ref, string LookupKey)[entries.Count];
        var invalid = 0;
        using var hasher = keys.Identifiers.CreateBatch();
        for (var i = 0; i < entries.Count; i++)
        {
            if (Resolve(entries[i], i, request.Region, normalizer, hasher, settings, out var error) is { } resolved)
            {
                lookups[i] = resolved;
            }
            else if (++invalid <= MaxReportedErrors)
            {
                validation.Add(error.Field, error.Message);
            }
        }

        if (invalid > 0)
        {
            if (invalid > MaxReportedErrors)
            {
                validation.Add("entries", $"{invalid} entries are invalid; the first {MaxReportedErrors} are listed.");
            }

            return TypedResults.ValidationProblem(validation.Errors);
        }

        var userId = http.User.GetUserId();
        // Fixed window counted across instances; a refused request still counts, so hammering never helps.
        var quotaKey = keySpace.ContactMatchQuota(userId);
        if (await store.IncrementAsync(quotaKey, entries.Count, settings.ContactMatchQuotaWindow) > settings.ContactMatchQuota)
        {
            var retryAfter = await store.GetTimeToLiveAsync(quotaKey) ?? settings.ContactMatchQuotaWindow;
            return AccountsProblems.TooManyRequests(http, retryAfter, $"The contact matching quota ({settings.ContactMatchQuota} entries per {settings.ContactMatchQuotaWindow}) is used up.");
        }

        // In index order (byte order, the lookup key's collation on PostgreSQL), neighbouring probes share the index's
        // upper pages while they are still in the CPU's cache.
        var wanted = lookups.Select(l => l.LookupKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var found = await ContactLookup.FindAsync(db, wanted, userId, http.RequestAborted);

        var matches = new List<ContactMatch>();
        foreach (var (reference, lookupKey) in lookups)
        {
            if (found.TryGetValue(lookupKey, out var user))
            {
                matches.Add(new ContactMatch(reference, user.Id, user.DisplayName));
            }
        }

        return TypedResults.Ok(new ContactMatchResponse(matches));
    }

    private static (string Ref, string LookupKey)? Resolve(
        ContactEntry? entry, int position, string? region, IdentifierNormalizer normalizer, IdentifierHasher.Batch hasher, AccountsOptions settings, out (string Field, string Message) error)
    {
        var field = $"entries[{position}]";
        error = default;
        if (entry is null)
        {
            error = (field, "The entry is empty.");
            return null;
        }

        if (string.IsNullOrEmpty(entry.Ref) || entry.Ref.Length > settings.ContactRefMaxLength)
        {
            error = ($"{field}.ref", $"The reference is 1 to {settings.ContactRefMaxLength} characters.");
            return null;
        }

        if ((entry.Identifier is null) == (entry.Sha256 is null))
        {
            error = (field, "Give exactly one of identifier and sha256.");
            return null;
        }

        if (entry.Sha256 is { } hex)
        {
            if (hex.Length != IdentifierHasher.DigestLength * 2 || !hex.All(char.IsAsciiHexDigit))
            {
                error = ($"{field}.sha256", "The SHA-256 is 64 hexadecimal digits.");
                return null;
            }

            return (entry.Ref, hasher.LookupKey(Convert.FromHexString(hex)));
        }

        if (!normalizer.TryNormalize(entry.Identifier, region, out var identifier, out var message))
        {
            error = ($"{field}.identifier", message);
            return null;
        }

        return (entry.Ref, hasher.LookupKey(identifier!));
    }
}
