using System.Globalization;
using System.Text.Json.Nodes;
using Talko.Core.Notifications.Apns;

namespace Talko.Core.Notifications.Fcm;

/// <summary>The body of projects.messages.send: {"message": {token, notification, data, android, apns}}.</summary>
public static class FcmMessage
{
    public static JsonObject Build(PushDelivery delivery, TimeSpan timeToLive)
    {
        var message = delivery.Message;
        var fcm = new JsonObject { ["token"] = delivery.Address };
        if (!message.Background && !message.Ring && (message.Title is not null || message.Body is not null))
        {
            var notification = new JsonObject();
            if (message.Title is not null)
            {
                notification["title"] = message.Title;
            }

            if (message.Body is not null)
            {
                notification["body"] = message.Body;
            }

            fcm["notification"] = notification;
        }

        // FCM data values must be strings; the event id lets the app drop a duplicate.
        var data = new JsonObject { ["talko_event_id"] = delivery.EventId.ToString("D") };
        foreach (var (key, value) in message.Data)
        {
            data[key] = value;
        }

        fcm["data"] = data;

        var android = new JsonObject
        {
            ["priority"] = message.Urgency == PushUrgency.High ? "HIGH" : "NORMAL",
            ["ttl"] = string.Create(CultureInfo.InvariantCulture, $"{(long)timeToLive.TotalSeconds}s"),
        };
        if (message.CollapseKey is { } collapse)
        {
            android["collapse_key"] = collapse;
        }

        if (!message.Background && !message.Ring)
        {
            var androidNotification = new JsonObject();
            if (message.ThreadId is not null)
            {
                androidNotification["tag"] = message.ThreadId;
            }

            if (message.Badge is { } count)
            {
                androidNotification["notification_count"] = count;
            }

            if (message.Sound is not null)
            {
                androidNotification["sound"] = message.Sound;
            }

            if (androidNotification.Count > 0)
            {
                android["notification"] = androidNotification;
            }
        }

        fcm["android"] = android;

        // iOS devices registered through FCM: the same collapse and badge through the apns override.
        var apnsHeaders = new JsonObject { ["apns-priority"] = message.Background || message.Urgency == PushUrgency.Normal ? "5" : "10" };
        if (message.CollapseKey is { } apnsCollapse)
        {
            apnsHeaders["apns-collapse-id"] = ApnsProvider.CollapseId(apnsCollapse);
        }

        var aps = new JsonObject();
        if (message.Badge is { } badge)
        {
            aps["badge"] = badge;
        }

        if (message.Background)
        {
            aps["content-available"] = 1;
        }

        fcm["apns"] = new JsonObject { ["headers"] = apnsHeaders, ["payload"] = new JsonObject { ["aps"] = aps } };
        return new JsonObject { ["message"] = fcm };
    }
}
