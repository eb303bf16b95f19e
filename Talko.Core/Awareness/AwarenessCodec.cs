using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Talko.Core.Awareness;

/// <summary>
/// The stored JSON shapes the Redis scripts read and write: short field names, times in Unix ms, no
/// nulls (absent fields instead), because the Lua side tests fields for nil.
/// </summary>
internal static class AwarenessCodec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Fields: u user, c connection, d device, i instance, p presence, k activity kind, cv conversation,
    /// cl call, m muted, t talking, pos position, at activity time, tu typing until, s status, sa status time, l lease end.</summary>
    public static string EncodeConnection(ConnectionAwareness connection)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("u", connection.UserId);
            json.WriteString("c", connection.ConnectionId);
            if (connection.DeviceId is { } device)
            {
                json.WriteString("d", device);
            }

            json.WriteString("i", connection.InstanceId);
            json.WriteNumber("p", (int)connection.Presence);
            var activity = connection.Activity;
            json.WriteNumber("k", (int)activity.Kind);
            if (activity.ConversationId is { } conversation)
            {
                json.WriteString("cv", conversation);
            }

            if (activity.CallId is { } call)
            {
                json.WriteString("cl", call);
            }

            if (activity.Muted)
            {
                json.WriteBoolean("m", true);
            }

            if (activity.Talking)
            {
                json.WriteBoolean("t", true);
            }

            if (activity.PositionMs is { } position)
            {
                json.WriteNumber("pos", position);
            }

            json.WriteNumber("at", AwarenessAggregator.Ms(connection.ActivityAt));
            if (activity.Kind == ActivityKind.Typing && connection.TypingUntil is { } until)
            {
                json.WriteNumber("tu", AwarenessAggregator.Ms(until));
            }

            if (connection.StatusText is { Length: > 0 } status)
            {
                json.WriteString("s", status);
            }

            json.WriteNumber("sa", AwarenessAggregator.Ms(connection.StatusAt));
            json.WriteNumber("l", AwarenessAggregator.Ms(connection.LeaseUntil));
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a connection as <see cref="EncodeConnection"/> (or a script) wrote it.</summary>
    public static ConnectionAwareness DecodeConnection(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var activity = new Activity
        {
            Kind = (ActivityKind)Integer(root.GetProperty("k")),
            ConversationId = root.TryGetProperty("cv", out var conversation) ? conversation.GetString() : null,
            CallId = root.TryGetProperty("cl", out var call) ? call.GetString() : null,
            Muted = root.TryGetProperty("m", out var muted) && muted.GetBoolean(),
            Talking = root.TryGetProperty("t", out var talking) && talking.GetBoolean(),
            PositionMs = root.TryGetProperty("pos", out var position) ? Integer(position) : null,
        };
        return new ConnectionAwareness(
            root.GetProperty("u").GetString()!,
            root.GetProperty("c").GetString()!,
            root.TryGetProperty("d", out var device) ? device.GetString() : null,
            root.GetProperty("i").GetString()!,
            (Presence)Integer(root.GetProperty("p")),
            activity,
            Time(root.GetProperty("at")),
            root.TryGetProperty("tu", out var typingUntil) ? Time(typingUntil) : null,
            root.TryGetProperty("s", out var status) ? status.GetString() : null,
            Time(root.GetProperty("sa")),
            Time(root.GetProperty("l")));
    }

    private static DateTimeOffset Time(JsonElement element) => DateTimeOffset.FromUnixTimeMilliseconds(Integer(element));

    /// <summary>Reads an aggregate as the script wrote it (fields p, k, cv, cl, m, t, pos, s).</summary>
    public static UserAwareness DecodeAggregate(string userId, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var activity = Activity.None;
        if (root.TryGetProperty("k", out var kind))
        {
            activity = new Activity
            {
                Kind = (ActivityKind)Integer(kind),
                ConversationId = root.TryGetProperty("cv", out var conversation) ? conversation.GetString() : null,
                CallId = root.TryGetProperty("cl", out var call) ? call.GetString() : null,
                Muted = root.TryGetProperty("m", out var muted) && muted.GetBoolean(),
                Talking = root.TryGetProperty("t", out var talking) && talking.GetBoolean(),
                PositionMs = root.TryGetProperty("pos", out var position) ? Integer(position) : null,
            };
        }

        return new UserAwareness(
            userId,
            (Presence)Integer(root.GetProperty("p")),
            activity,
            root.TryGetProperty("s", out var status) ? status.GetString() : null);
    }

    /// <summary>Lua numbers are doubles; cjson may print a whole number in exponent form.</summary>
    private static long Integer(JsonElement element) => element.TryGetInt64(out var value) ? value : (long)element.GetDouble();
}
