using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Registrar;

/// <summary>A binding's JSON form in the ephemeral store: the source endpoint as text, since IPEndPoint has no JSON form.</summary>
internal sealed record StoredSipBinding(
    string AddressOfRecord, string ContactUri, string UserId, string DeviceId, string CallId, long CSeq,
    DateTimeOffset ExpiresAt, SipTransportProtocol Protocol, string? Source)
{
    public static string Serialize(SipBinding b) =>
        JsonSerializer.Serialize(
            new StoredSipBinding(b.AddressOfRecord, b.ContactUri, b.UserId, b.DeviceId, b.CallId, b.CSeq, b.ExpiresAt, b.Protocol, b.Source?.ToString()),
            StoredSipBindingJson.Default.StoredSipBinding);

    /// <summary>The binding, or null for text that is not one (the store is shared; never trust its shape).</summary>
    public static SipBinding? Parse(string json)
    {
        StoredSipBinding? stored;
        try
        {
            stored = JsonSerializer.Deserialize(json, StoredSipBindingJson.Default.StoredSipBinding);
        }
        catch (JsonException)
        {
            return null;
        }

        return stored is null ? null : new SipBinding(stored.AddressOfRecord, stored.ContactUri, stored.UserId, stored.DeviceId,
            stored.CallId, stored.CSeq, stored.ExpiresAt, stored.Protocol,
            stored.Source is not null && IPEndPoint.TryParse(stored.Source, out var source) ? source : null);
    }
}

/// <summary>Generated at build time: every REGISTER writes one binding and reads its address's others.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredSipBinding))]
internal sealed partial class StoredSipBindingJson : JsonSerializerContext;
