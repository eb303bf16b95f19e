using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Accounts.Codes;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Input;

namespace Talko.Server.Features.Accounts;

/// <summary>The signed-in user's own account: profile, devices, identifiers, SIP credentials, deletion.</summary>
public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/v1/me").WithTags("Me").RequireAuthorization();
        me.MapGet("/", GetMe).WithSummary("The signed-in user");
        me.MapPatch("/", UpdateMe).WithSummary("Change display name or discoverability");
        me.MapDelete("/", DeleteMe).WithSummary("Delete the account (see docs/privacy.md)");
        me.MapGet("/devices", ListDevices).WithSummary("The user's signed-in devices");
        me.MapDelete("/devices/{id:guid}", DeleteDevice).WithSummary("Sign a device out; its tokens stop working at once");
        me.MapGet("/devices/{id:guid}/sip-credentials", GetSipCredentials).WithSummary("A device's SIP username and realm");
        me.MapPost("/devices/{id:guid}/sip-credentials", RotateSipCredentials).WithSummary("Issue a new SIP secret for a device (shown once)");
        me.MapPost("/identifiers", StartAddIdentifier).WithSummary("Send a code to an email address or phone number to add to the account");
        me.MapPost("/identifiers/verify", VerifyAddIdentifier).WithSummary("Check that code and add the identifier");
        me.MapDelete("/identifiers/{id:guid}", DeleteIdentifier).WithSummary("Remove an identifier (not the last one)");
        return routes;
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMe(HttpContext http, TalkoDbContext db) =>
        await LoadMeAsync(db, http.User.GetUserId(), http.RequestAborted) is { } me ? TypedResults.Ok(me) : AccountsProblems.NotFound("user");

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> UpdateMe(UpdateMeRequest request, HttpContext http, TalkoDbContext db)
    {
        var validation = new Validation();
        var name = request.DisplayName is null ? null : validation.Text("displayName", request.DisplayName, TextRules.DisplayName(User.DisplayNameMaxLength));

        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var userId = http.User.GetUserId();
        var user = await db.Set<User>().FirstOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, http.RequestAborted);
        if (user is null)
        {
            return AccountsProblems.NotFound("user");
        }

        user.DisplayName = name ?? user.DisplayName;
        user.Discoverable = request.Discoverable ?? user.Discoverable;
        await db.SaveChangesAsync(http.RequestAborted);
        return TypedResults.Ok((await LoadMeAsync(db, userId, http.RequestAborted))!);
    }

    private static async Task<NoContent> DeleteMe(HttpContext http, AccountDeletion deletion)
    {
        await deletion.DeleteAsync(http.User.GetUserId(), http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<DeviceView>>> ListDevices(HttpContext http, TalkoDbContext db)
    {
        var userId = http.User.GetUserId();
        var current = http.User.GetDeviceId();
        var devices = await db.Set<Device>().AsNoTracking()
            .Where(d => d.UserId == userId)
            .OrderBy(d => d.CreatedAt)
            .ToListAsync(http.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<DeviceView>>(devices
            .Select(d => new DeviceView(d.Id, d.Platform, d.Name, d.PushToken is not null, d.Id == current, d.CreatedAt, d.LastSeenAt, d.SipUsername))
            .ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteDevice(Guid id, HttpContext http, SessionService sessions) =>
        await sessions.RemoveDevicesAsync(http.User.GetUserId(), [id], DeviceRevocationReason.Deleted, http.RequestAborted) > 0
            ? TypedResults.NoContent()
            : AccountsProblems.NotFound("device");

    private static async Task<Results<Ok<SipCredentials>, ProblemHttpResult>> GetSipCredentials(Guid id, HttpContext http, TalkoDbContext db)
    {
        var userId = http.User.GetUserId();
        var device = await db.Set<Device>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id && d.UserId == userId, http.RequestAborted);
        return device is null ? AccountsProblems.NotFound("device") : TypedResults.Ok(new SipCredentials(device.SipUsername, device.SipRealm, null));
    }

    private static async Task<Results<Ok<SipCredentials>, ProblemHttpResult>> RotateSipCredentials(
        Guid id, HttpContext http, TalkoDbContext db, SessionService sessions, SipCredentialInvalidation invalidation)
    {
        var userId = http.User.GetUserId();
        var device = await db.Set<Device>().FirstOrDefaultAsync(d => d.Id == id && d.UserId == userId, http.RequestAborted);
        if (device is null)
        {
            return AccountsProblems.NotFound("device");
        }

        var credentials = sessions.SetSipSecret(device);
        await db.SaveChangesAsync(http.RequestAborted);
        // Saved first: the old secret must stop working on every instance, not once cached credentials lapse.
        await invalidation.SecretRotatedAsync(userId, device.Id);
        return TypedResults.Ok(credentials);
    }

    private static async Task<Results<Accepted<StartResponse>, ValidationProblem, ProblemHttpResult>> StartAddIdentifier(
        StartRequest request, HttpContext http, Core.Accounts.IdentifierNormalizer normalizer, VerificationService verification, IOptions<AccountsOptions> options)
    {
        var validation = new Validation();
        var identifier = validation.Identifier(normalizer, request.Identifier, request.Region);
        if (identifier is null)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        if (await verification.StartAsync(identifier, ChallengePurpose.AddIdentifier, http.User.GetUserId(), Requesters.User(http.User.GetUserId()), http.RequestAborted) is { } retryAfter)
        {
            return AccountsProblems.TooManyRequests(http, retryAfter, "Too many codes were requested for this identifier; try again later.");
        }

        return TypedResults.Accepted((string?)null, new StartResponse((int)options.Value.CodeLifetime.TotalSeconds, Core.Accounts.VerificationCodes.Length, (int)options.Value.CodeResendCooldown.TotalSeconds));
    }

    private static async Task<Results<Ok<IdentifierView>, ValidationProblem, ProblemHttpResult>> VerifyAddIdentifier(
        AddIdentifierVerifyRequest request,
        HttpContext http,
        Core.Accounts.IdentifierNormalizer normalizer,
        VerificationService verification,
        ServerKeys keys,
        TalkoDbContext db,
        TimeProvider time,
        IOptions<AccountsOptions> options,
        IEnumerable<IIdentifierVerifiedListener> listeners,
        ILogger<IIdentifierVerifiedListener> logger)
    {
        var validation = new Validation();
        var identifier = validation.Identifier(normalizer, request.Identifier, request.Region);
        validation.Code(request.Code);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var userId = http.User.GetUserId();
        var cancellationToken = http.RequestAborted;
        var (check, attemptsLeft) = await verification.CheckAsync(identifier!, request.Code!, ChallengePurpose.AddIdentifier, userId, cancellationToken);
        if (check != CodeCheck.Accepted)
        {
            return AccountsProblems.Code(check, attemptsLeft);
        }

        var lookupKey = keys.Identifiers.LookupKey(identifier!);
        var identifiers = db.Set<UserIdentifier>();
        if (await identifiers.AsNoTracking().FirstOrDefaultAsync(i => i.LookupKey == lookupKey, cancellationToken) is { } held)
        {
            return held.UserId == userId
                ? TypedResults.Ok(new IdentifierView(held.Id, held.Kind, held.Hint, held.VerifiedAt))
                : AccountsProblems.Conflict("identifier_taken", "This identifier belongs to another account.", "Delete that account or remove the identifier from it first.");
        }

        if (await identifiers.CountAsync(i => i.UserId == userId, cancellationToken) >= options.Value.MaxIdentifiersPerUser)
        {
            return AccountsProblems.Conflict("too_many_identifiers", "The account has the most identifiers allowed.", "Remove one first.");
        }

        var added = new UserIdentifier
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Kind = identifier!.Kind,
            LookupKey = lookupKey,
            Hint = identifier.Hint,
            VerifiedAt = time.GetUtcNow().UtcDateTime,
        };
        identifiers.Add(added);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return AccountsProblems.Conflict("identifier_taken", "This identifier belongs to another account.", "It was added to another account meanwhile.");
        }

        await IdentifierVerifiedListeners.NotifyAsync(listeners, userId, logger, cancellationToken);
        return TypedResults.Ok(new IdentifierView(added.Id, added.Kind, added.Hint, added.VerifiedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteIdentifier(Guid id, HttpContext http, TalkoDbContext db)
    {
        var userId = http.User.GetUserId();
        var identifiers = await db.Set<UserIdentifier>().Where(i => i.UserId == userId).ToListAsync(http.RequestAborted);
        if (identifiers.Find(i => i.Id == id) is not { } identifier)
        {
            return AccountsProblems.NotFound("identifier");
        }

        if (identifiers.Count == 1)
        {
            return AccountsProblems.Conflict("last_identifier", "This is the account's only identifier.", "Add another first, or delete the account.");
        }

        db.Remove(identifier);
        await db.SaveChangesAsync(http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<MeResponse?> LoadMeAsync(TalkoDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Set<User>().AsNoTracking()
            .Include(u => u.Identifiers)
            .FirstOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, cancellationToken);
        return user is null
            ? null
            : new MeResponse(user.Id, user.DisplayName, user.Discoverable, user.CreatedAt,
                user.Identifiers.OrderBy(i => i.VerifiedAt).Select(i => new IdentifierView(i.Id, i.Kind, i.Hint, i.VerifiedAt)).ToList());
    }
}
