using System.Text.Json;
using System.Text.Json.Serialization;
using Talko.Core.Notifications;

namespace Talko.Server.Features.Notifications.Outbox;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PushMessage))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class NotificationJson : JsonSerializerContext
{
    public static string Serialize(PushMessage message) => JsonSerializer.Serialize(message, Default.PushMessage);

    public static PushMessage Deserialize(string json) =>
        JsonSerializer.Deserialize(json, Default.PushMessage) ?? throw new JsonException("The outbox payload is null.");
}
