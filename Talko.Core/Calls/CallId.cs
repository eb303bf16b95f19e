using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Talko.Core.Calls;

/// <summary>
/// The id of a call. The database stores its <see cref="Value"/>; the SIP and media engines know it as a conference id
/// (its <see cref="ToString"/> form, the user part of <c>sip:{callId}@host</c>), and so does Redis. Conversions happen
/// where a value enters or leaves Talko's code, once: <see cref="TryParse"/> at the engines' edge, <see cref="Value"/> at EF's.
/// </summary>
[JsonConverter(typeof(CallIdJsonConverter))]
public readonly record struct CallId(Guid Value)
{
    public static CallId New() => new(Guid.CreateVersion7());

    /// <summary>A conference id that is a call id; false for anything else (a test conference, a stray INVITE).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out CallId id)
    {
        var parsed = Guid.TryParse(text, CultureInfo.InvariantCulture, out var value);
        id = new CallId(value);
        return parsed;
    }

    /// <summary>The conference id and key form: the Guid's "D" format.</summary>
    public override string ToString() => Value.ToString("D", CultureInfo.InvariantCulture);
}

/// <summary>A call id in JSON is its string form, as a Guid would be.</summary>
internal sealed class CallIdJsonConverter : JsonConverter<CallId>
{
    public override CallId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetGuid());

    public override void Write(Utf8JsonWriter writer, CallId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
