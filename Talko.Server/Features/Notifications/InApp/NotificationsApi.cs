using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Notifications.Devices;

namespace Talko.Server.Features.Notifications.InApp;

/// <summary>The in-app list (read/unread, mark read), per-conversation mutes and do-not-disturb hours of the signed-in user.</summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/notifications").WithTags("Notifications").RequireAuthorization();
        group.MapGet("", List).WithSummary("My notifications, newest first, with the unread count");
        group.MapPost("/{id:guid}/read", MarkRead).WithSummary("Mark one notification read");
        group.MapPost("/read", MarkAllRead).WithSummary("Mark all notifications read (up to a time, if given)");
        group.MapGet("/mutes", ListMutes).WithSummary("Conversations I have muted");
        group.MapPut("/mutes/{conversationId:guid}", Mute).WithSummary("Mute a conversation until a time, or forever");
        group.MapDelete("/mutes/{conversationId:guid}", Unmute).WithSummary("Unmute a conversation");
        group.MapGet("/preferences", GetPreferences).WithSummary("My do-not-disturb hours");
        group.MapPut("/preferences", SetPreferences).WithSummary("Set my do-not-disturb hours");
        return routes.MapPushTokenApi();
    }

    public sealed record NotificationView(Guid Id, string Kind, Guid? ConversationId, Guid? ItemId, Guid? ActorUserId, string? Title, string? Body, DateTime CreatedAt, bool Read);

    public sealed record NotificationList(IReadOnlyList<NotificationView> Items, int UnreadCount);

    public sealed record MarkAllReadRequest(DateTime? UpTo);

    public sealed record MarkAllReadResponse(int Marked);

    /// <param name="Until">When the mute ends (UTC); null mutes until unmuted.</param>
    public sealed record MuteRequest(DateTime? Until);

    public sealed record MuteView(Guid ConversationId, DateTime? Until);

    /// <param name="QuietFrom">Start of the quiet hours, local time ("22:00"); null with QuietUntil null turns them off.</param>
    /// <param name="QuietUntil">End of the quiet hours, local time ("07:00"); may be earlier than QuietFrom (crosses midnight).</param>
    /// <param name="TimeZone">IANA time zone id; UTC when null.</param>
    public sealed record PreferencesView(TimeOnly? QuietFrom, TimeOnly? QuietUntil, string? TimeZone);

    private static async Task<Results<Ok<NotificationList>, ValidationProblem>> List(
        ClaimsPrincipal user, TalkoDbContext db, IOptions<NotificationsOptions> options, bool? unread, int? limit, DateTime? before, CancellationToken cancellationToken)
    {
        var max = options.Value.ListMaxLimit;
        if (limit is < 1 || limit > max)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit is between 1 and {max}."] });
        }

        var userId = user.GetUserId();
        var query = db.Set<UserNotification>().AsNoTracking().Where(n => n.UserId == userId);
        if (unread == true)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        if (before is { } cursor)
        {
            var utc = cursor.ToUniversalTime();
            query = query.Where(n => n.CreatedAt < utc);
        }

        var items = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(limit ?? 50)
            .Select(n => new NotificationView(n.Id, n.Kind, n.ConversationId, n.ItemId, n.ActorUserId, n.Title, n.Body, n.CreatedAt, n.ReadAt != null))
            .ToListAsync(cancellationToken);
        var unreadCount = await db.Set<UserNotification>().CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken);
        return TypedResults.Ok(new NotificationList(items, unreadCount));
    }

    private static async Task<Results<NoContent, NotFound>> MarkRead(Guid id, ClaimsPrincipal user, TalkoDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        var now = time.GetUtcNow().UtcDateTime;
        var entry = await db.Set<UserNotification>().SingleOrDefaultAsync(n => n.Id == id && n.UserId == userId, cancellationToken);
        if (entry is null)
        {
            return TypedResults.NotFound();
        }

        entry.ReadAt ??= now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MarkAllReadResponse>> MarkAllRead(MarkAllReadRequest? request, ClaimsPrincipal user, TalkoDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        var now = time.GetUtcNow().UtcDateTime;
        var upTo = request?.UpTo?.ToUniversalTime() ?? now;
        var marked = await db.Set<UserNotification>()
            .Where(n => n.UserId == userId && n.ReadAt == null && n.CreatedAt <= upTo)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
        return TypedResults.Ok(new MarkAllReadResponse(marked));
    }

    private static async Task<Ok<List<MuteView>>> ListMutes(ClaimsPrincipal user, TalkoDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        var now = time.GetUtcNow().UtcDateTime;
        var mutes = await db.Set<ConversationMute>().AsNoTracking()
            .Where(m => m.UserId == userId && (m.Until == null || m.Until > now))
            .Select(m => new MuteView(m.ConversationId, m.Until))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(mutes);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Mute(Guid conversationId, MuteRequest? request, ClaimsPrincipal user, TalkoDbContext db, IConversationMemberCheck members, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        // Only a conversation the user is in can be muted: anything else is not theirs to know about, nor to fill the table with.
        if (!await members.IsMemberAsync(conversationId, userId, cancellationToken))
        {
            return TypedResults.Problem("The conversation does not exist or you are not a member.", statusCode: StatusCodes.Status404NotFound,
                title: "No such conversation.", extensions: new Dictionary<string, object?> { ["reason"] = "not_found" });
        }

        var until = request?.Until?.ToUniversalTime();
        if (until is { } end && end <= time.GetUtcNow().UtcDateTime)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["until"] = ["until must be in the future (or null to mute until unmuted)."] });
        }

        var mute = await db.Set<ConversationMute>().FindAsync([userId, conversationId], cancellationToken);
        if (mute is null)
        {
            db.Set<ConversationMute>().Add(new ConversationMute { UserId = userId, ConversationId = conversationId, Until = until });
        }
        else
        {
            mute.Until = until;
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unmute(Guid conversationId, ClaimsPrincipal user, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        await db.Set<ConversationMute>().Where(m => m.UserId == userId && m.ConversationId == conversationId).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PreferencesView>> GetPreferences(ClaimsPrincipal user, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        var preferences = await db.Set<NotificationPreferences>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        return TypedResults.Ok(new PreferencesView(preferences?.QuietFrom, preferences?.QuietUntil, preferences?.TimeZone ?? "UTC"));
    }

    private static async Task<Results<Ok<PreferencesView>, ValidationProblem>> SetPreferences(PreferencesView request, ClaimsPrincipal user, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var zone = request.TimeZone ?? "UTC";
        var errors = new Dictionary<string, string[]>();
        if (zone.Length > NotificationPreferences.TimeZoneMaxLength || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors["timeZone"] = [$"'{zone}' is not a known IANA time zone."];
        }

        if ((request.QuietFrom is null) != (request.QuietUntil is null))
        {
            errors["quietFrom"] = ["quietFrom and quietUntil are set together (or both null)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var userId = user.GetUserId();
        var preferences = await db.Set<NotificationPreferences>().FindAsync([userId], cancellationToken);
        if (preferences is null)
        {
            preferences = new NotificationPreferences { UserId = userId };
            db.Set<NotificationPreferences>().Add(preferences);
        }

        preferences.QuietFrom = request.QuietFrom;
        preferences.QuietUntil = request.QuietUntil;
        preferences.TimeZone = zone;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new PreferencesView(preferences.QuietFrom, preferences.QuietUntil, preferences.TimeZone));
    }
}
