using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Notifications;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Notifications.InApp;
using Talko.Server.Features.Notifications.Outbox;

namespace Talko.Server.Features.Notifications.Routing;

/// <summary>
/// Decides who gets what: an in-app entry for every recipient; a push to each of their phones that is
/// away, unless the conversation is muted (a mention still goes through); during do-not-disturb hours
/// a chat push is silent and only updates the badge, and a call does not ring. Chat pushes to one
/// device for one conversation share a coalesce key, so a burst becomes one push with a count. The
/// badge is the recipient's total unread items across conversations (conversations' read state).
/// </summary>
public sealed class NotificationPlanner(
    NotificationOutbox outbox, IPresenceLookup presence, UnreadCounter unread, NotificationAnnouncer announcer, TimeProvider time, IOptions<NotificationsOptions> options)
    : INotificationTrigger
{
    private enum PushStyle
    {
        /// <summary>An alert that waits the coalesce window and folds with others of its conversation.</summary>
        Chat,

        /// <summary>An alert of its own (added, bookmark).</summary>
        Single,

        /// <summary>An incoming call: VoIP / high-priority data, short-lived, never silent.</summary>
        Ring,
    }

    /// <summary>One event to route. <paramref name="KindFor"/> names the entry per recipient (a mention differs).</summary>
    private sealed record Plan(
        IReadOnlyCollection<Guid> Recipients,
        Guid? ConversationId,
        Func<Guid, string> KindFor,
        Guid? ItemId,
        Guid ActorUserId,
        string Title,
        string Body,
        PushStyle Style,
        IReadOnlyCollection<Guid> BypassMute,
        IReadOnlyDictionary<string, string> Data,
        string CollapseKey);

    public Task OnItemPostedAsync(TalkoDbContext db, PostedItem item, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default)
    {
        var mentioned = item.MentionedUserIds.ToHashSet();
        var data = new Dictionary<string, string>
        {
            ["conversationId"] = item.ConversationId.ToString("D"),
            ["itemId"] = item.ItemId.ToString("D"),
            ["sequence"] = item.Sequence.ToString(CultureInfo.InvariantCulture),
            ["kind"] = item.Kind,
        };
        return RouteAsync(db, new Plan(
            Others(memberUserIds, item.AuthorUserId), item.ConversationId, r => mentioned.Contains(r) ? NotificationKinds.Mention : NotificationKinds.ItemPosted,
            item.ItemId, item.AuthorUserId, item.Title, item.Preview, PushStyle.Chat, mentioned, data, $"conversation:{item.ConversationId:N}"), cancellationToken);
    }

    public Task OnCallStartedAsync(TalkoDbContext db, StartedCall call, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, string>
        {
            ["conversationId"] = call.ConversationId.ToString("D"),
            ["callId"] = call.CallId.ToString("D"),
            ["startedBy"] = call.StartedByUserId.ToString("D"),
            ["kind"] = NotificationKinds.CallStarted,
        };
        return RouteAsync(db, new Plan(
            Others(memberUserIds, call.StartedByUserId), call.ConversationId, _ => NotificationKinds.CallStarted, call.ItemId, call.StartedByUserId,
            call.Title, "Incoming call", PushStyle.Ring, [], data, $"call:{call.CallId:N}"), cancellationToken);
    }

    public Task OnAddedAsync(TalkoDbContext db, Addition addition, CancellationToken cancellationToken = default)
    {
        if (addition.UserId == addition.ActorUserId)
        {
            return Task.CompletedTask; // Joined by themself (an invite claimed): nothing to tell.
        }

        var data = new Dictionary<string, string>
        {
            ["groupId"] = addition.GroupId.ToString("D"),
            ["kind"] = addition.ConversationId is null ? NotificationKinds.AddedToGroup : NotificationKinds.AddedToConversation,
        };
        if (addition.ConversationId is { } conversationId)
        {
            data["conversationId"] = conversationId.ToString("D");
        }

        return RouteAsync(db, new Plan(
            [addition.UserId], addition.ConversationId, _ => data["kind"], null, addition.ActorUserId, addition.Title, addition.Body, PushStyle.Single, [], data,
            $"added:{addition.ConversationId ?? addition.GroupId:N}"), cancellationToken);
    }

    public Task OnBookmarkAddedAsync(TalkoDbContext db, AddedBookmark bookmark, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, string>
        {
            ["conversationId"] = bookmark.ConversationId.ToString("D"),
            ["bookmarkId"] = bookmark.BookmarkId.ToString("D"),
            ["kind"] = NotificationKinds.Bookmark,
        };
        if (bookmark.ItemId is { } itemId)
        {
            data["itemId"] = itemId.ToString("D");
        }

        if (bookmark.CallId is { } callId)
        {
            data["callId"] = callId.ToString("D");
        }

        return RouteAsync(db, new Plan(
            Others(memberUserIds, bookmark.AuthorUserId), bookmark.ConversationId, _ => NotificationKinds.Bookmark, bookmark.ItemId, bookmark.AuthorUserId,
            bookmark.Title, bookmark.Body, PushStyle.Single, [], data, $"bookmark:{bookmark.BookmarkId:N}"), cancellationToken);
    }

    private async Task RouteAsync(TalkoDbContext db, Plan plan, CancellationToken cancellationToken)
    {
        if (plan.Recipients.Count == 0)
        {
            return;
        }

        var settings = options.Value;
        var now = time.GetUtcNow();
        var nowUtc = now.UtcDateTime;
        var title = Trim(plan.Title, UserNotification.TitleMaxLength);
        var body = Trim(plan.Body, settings.PreviewMaxLength);
        var recipients = plan.Recipients.ToArray();
        foreach (var recipient in recipients)
        {
            var entry = new UserNotification
            {
                Id = Guid.CreateVersion7(now),
                UserId = recipient,
                Kind = plan.KindFor(recipient),
                ConversationId = plan.ConversationId,
                ItemId = plan.ItemId,
                ActorUserId = plan.ActorUserId,
                Title = title,
                Body = body,
                CreatedAt = nowUtc,
            };
            db.Set<UserNotification>().Add(entry);
            announcer.Stage(db, entry);
        }

        var muted = plan.ConversationId is { } mutedIn
            ? (await db.Set<ConversationMute>().Where(m => m.ConversationId == mutedIn && recipients.Contains(m.UserId)).ToListAsync(cancellationToken))
                .Where(m => m.IsActive(nowUtc)).Select(m => m.UserId).ToHashSet()
            : [];
        var pushable = recipients.Where(r => !muted.Contains(r) || plan.BypassMute.Contains(r)).ToArray();
        if (pushable.Length == 0)
        {
            return;
        }

        var quiet = (await db.Set<NotificationPreferences>().Where(p => pushable.Contains(p.UserId)).ToListAsync(cancellationToken))
            .Where(p => p.IsQuiet(now)).Select(p => p.UserId).ToHashSet();
        if (plan.Style == PushStyle.Ring)
        {
            // A VoIP push must show a call (iOS), so there is no silent ring: quiet hours mean no ring at all.
            pushable = pushable.Where(r => !quiet.Contains(r)).ToArray();
        }

        var devices = await db.Set<Device>()
            .Where(d => pushable.Contains(d.UserId) && d.PushToken != null && (d.Platform == DevicePlatform.Ios || d.Platform == DevicePlatform.Android))
            .Select(d => new { d.Id, d.UserId, d.Platform, d.PushToken })
            .ToListAsync(cancellationToken);
        if (devices.Count == 0)
        {
            return;
        }

        var presenceByDevice = await presence.GetDevicePresenceAsync(pushable, plan.ConversationId, cancellationToken);
        var away = devices.Where(d => presenceByDevice.GetValueOrDefault(d.Id, DevicePresence.Away) == DevicePresence.Away).ToList();
        if (away.Count == 0)
        {
            return; // Every device is looking: the realtime events reach them.
        }

        var badges = await unread.CountAsync(db, away.Select(d => d.UserId).Distinct().ToArray(), cancellationToken);
        foreach (var device in away)
        {
            var badge = badges.GetValueOrDefault(device.UserId);
            var kind = plan.KindFor(device.UserId);
            var message = plan.Style switch
            {
                PushStyle.Ring => new PushMessage
                {
                    Kind = kind, Title = title, Body = body, Ring = true, Urgency = PushUrgency.High, Data = plan.Data,
                    ExpiresAt = now + settings.RingTimeout,
                },
                _ when quiet.Contains(device.UserId) => new PushMessage { Kind = kind, Background = true, Badge = badge, Urgency = PushUrgency.Normal, Data = plan.Data },
                _ => new PushMessage
                {
                    Kind = kind,
                    Title = title,
                    Body = body,
                    Summary = plan.Style == PushStyle.Chat ? "{count} new messages" : null,
                    Badge = badge,
                    Sound = "default",
                    CollapseKey = plan.CollapseKey,
                    ThreadId = plan.ConversationId?.ToString("N"),
                    Data = plan.Data,
                },
            };
            outbox.Enqueue(db, new OutboundNotification(device.Platform == DevicePlatform.Ios ? PushChannel.Apns : PushChannel.Fcm, device.PushToken!, message)
            {
                UserId = device.UserId,
                DeviceId = device.Id,
                CoalesceKey = plan.Style == PushStyle.Chat ? $"{device.Id:N}:{plan.ConversationId:N}" : null,
            });
        }
    }

    private static Guid[] Others(IReadOnlyCollection<Guid> members, Guid actor) => members.Where(u => u != actor).Distinct().ToArray();

    private static string Trim(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, Math.Max(0, max - 1)), "…");
}
