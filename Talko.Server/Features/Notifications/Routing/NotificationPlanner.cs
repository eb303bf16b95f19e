using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Notifications;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Notifications.InApp;
using Talko.Server.Features.Notifications.Outbox;

namespace Talko.Server.Features.Notifications.Routing;

/// <summary>
/// Decides who gets what for a posted item: an in-app entry for every other member; a push to each of
/// their phones that is away, unless the conversation is muted (a mention still goes through); during
/// do-not-disturb hours the push is silent and only updates the badge. Pushes to one device for one
/// conversation share a coalesce key, so a burst becomes one push with a count.
/// </summary>
public sealed class NotificationPlanner(NotificationOutbox outbox, IPresenceLookup presence, TimeProvider time, IOptions<NotificationsOptions> options) : INotificationTrigger
{
    public async Task OnItemPostedAsync(TalkoDbContext db, PostedItem item, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var recipients = memberUserIds.Where(u => u != item.AuthorUserId).Distinct().ToArray();
        if (recipients.Length == 0)
        {
            return;
        }

        var preview = Trim(item.Preview, options.Value.PreviewMaxLength);
        var mentioned = item.MentionedUserIds.ToHashSet();

        // Unread counts before this item's entries are added; each recipient gets one more below.
        var unread = await db.Set<UserNotification>()
            .Where(n => recipients.Contains(n.UserId) && n.ReadAt == null)
            .GroupBy(n => n.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.UserId, x => x.Count, cancellationToken);
        foreach (var recipient in recipients)
        {
            db.Set<UserNotification>().Add(new UserNotification
            {
                Id = Guid.CreateVersion7(now),
                UserId = recipient,
                Kind = mentioned.Contains(recipient) ? "mention" : "item.posted",
                ConversationId = item.ConversationId,
                ItemId = item.ItemId,
                ActorUserId = item.AuthorUserId,
                Title = Trim(item.Title, UserNotification.TitleMaxLength),
                Body = preview,
                CreatedAt = now.UtcDateTime,
            });
        }

        var nowUtc = now.UtcDateTime;
        var muted = (await db.Set<ConversationMute>()
                .Where(m => m.ConversationId == item.ConversationId && recipients.Contains(m.UserId))
                .ToListAsync(cancellationToken))
            .Where(m => m.IsActive(nowUtc)).Select(m => m.UserId).ToHashSet();
        var pushable = recipients.Where(r => !muted.Contains(r) || mentioned.Contains(r)).ToArray();
        if (pushable.Length == 0)
        {
            return;
        }

        var quiet = (await db.Set<NotificationPreferences>().Where(p => pushable.Contains(p.UserId)).ToListAsync(cancellationToken))
            .Where(p => p.IsQuiet(now)).Select(p => p.UserId).ToHashSet();
        var devices = await db.Set<Device>()
            .Where(d => pushable.Contains(d.UserId) && d.PushToken != null && (d.Platform == DevicePlatform.Ios || d.Platform == DevicePlatform.Android))
            .Select(d => new { d.Id, d.UserId, d.Platform, d.PushToken })
            .ToListAsync(cancellationToken);
        var presenceByDevice = await presence.GetDevicePresenceAsync(pushable, item.ConversationId, cancellationToken);
        var data = new Dictionary<string, string>
        {
            ["conversationId"] = item.ConversationId.ToString("D"),
            ["itemId"] = item.ItemId.ToString("D"),
            ["sequence"] = item.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["kind"] = item.Kind,
        };

        foreach (var device in devices)
        {
            if (presenceByDevice.GetValueOrDefault(device.Id, DevicePresence.Away) != DevicePresence.Away)
            {
                continue; // The realtime event reaches it.
            }

            var badge = unread.GetValueOrDefault(device.UserId) + 1;
            var message = quiet.Contains(device.UserId)
                ? new PushMessage { Kind = "item.posted", Background = true, Badge = badge, Urgency = PushUrgency.Normal, Data = data }
                : new PushMessage
                {
                    Kind = mentioned.Contains(device.UserId) ? "mention" : "item.posted",
                    Title = item.Title,
                    Body = preview,
                    Summary = "{count} new messages",
                    Badge = badge,
                    Sound = "default",
                    CollapseKey = $"conversation:{item.ConversationId:N}",
                    ThreadId = item.ConversationId.ToString("N"),
                    Data = data,
                };
            outbox.Enqueue(db, new OutboundNotification(device.Platform == DevicePlatform.Ios ? PushChannel.Apns : PushChannel.Fcm, device.PushToken!, message)
            {
                UserId = device.UserId,
                DeviceId = device.Id,
                CoalesceKey = $"{device.Id:N}:{item.ConversationId:N}",
            });
        }
    }

    private static string Trim(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, Math.Max(0, max - 1)), "…");
}
