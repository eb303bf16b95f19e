using System.Text.Json.Nodes;

namespace Talko.Core.Notifications.Apns;

/// <summary>The JSON body of an APNs request: the "aps" dictionary plus the app's own keys beside it.</summary>
public static class ApnsPayload
{
    public static JsonObject Build(PushMessage message)
    {
        var aps = new JsonObject();
        if (message.Background)
        {
            aps["content-available"] = 1;
        }
        else if (!message.Ring)
        {
            // A VoIP push (Ring) carries no alert: the app reports the call to CallKit from the data beside "aps".
            var alert = new JsonObject();
            if (message.Title is not null)
            {
                alert["title"] = message.Title;
            }

            if (message.Body is not null)
            {
                alert["body"] = message.Body;
            }

            aps["alert"] = alert;
            if (message.Sound is not null)
            {
                aps["sound"] = message.Sound;
            }
        }

        if (message.Badge is { } badge)
        {
            aps["badge"] = badge;
        }

        if (message.ThreadId is not null)
        {
            aps["thread-id"] = message.ThreadId;
        }

        var payload = new JsonObject { ["aps"] = aps };
        foreach (var (key, value) in message.Data)
        {
            if (key != "aps")
            {
                payload[key] = value;
            }
        }

        return payload;
    }
}
