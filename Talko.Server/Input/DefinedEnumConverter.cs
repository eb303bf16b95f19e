using System.Text.Json;
using System.Text.Json.Serialization;

namespace Talko.Server.Input;

/// <summary>
/// Enums in JSON (HTTP bodies and hub messages) as their names, accepting on input a name in any case or a
/// number, but only one the enum defines: <c>"role": 42</c> or <c>"role": "emperor"</c> is refused (a 400
/// naming the field) instead of being stored and handed back as a bare number. [Flags] enums accept combinations.
/// </summary>
public sealed class DefinedEnumConverterFactory : JsonConverterFactory
{
    private readonly JsonStringEnumConverter names = new();

    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(DefinedEnumConverter<>).MakeGenericType(typeToConvert), names.CreateConverter(typeToConvert, options))!;
}

internal sealed class DefinedEnumConverter<T>(JsonConverter inner) : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly bool Flags = typeof(T).IsDefined(typeof(FlagsAttribute), inherit: false);
    private static readonly string Accepted = string.Join(", ", Enum.GetNames<T>());
    private readonly JsonConverter<T> names = (JsonConverter<T>)inner;

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var given = reader.TokenType == JsonTokenType.String ? $"\"{reader.GetString()}\"" : reader.TokenType == JsonTokenType.Number ? reader.GetRawNumber() : null;
        T value;
        try
        {
            value = names.Read(ref reader, typeToConvert, options);
        }
        catch (JsonException)
        {
            throw Refused(given);
        }

        return Flags || Enum.IsDefined(value) ? value : throw Refused(given);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => names.Write(writer, value, options);

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = names.ReadAsPropertyName(ref reader, typeToConvert, options);
        return Flags || Enum.IsDefined(value) ? value : throw Refused($"\"{reader.GetString()}\"");
    }

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => names.WriteAsPropertyName(writer, value, options);

    private static JsonException Refused(string? given) => new($"{given ?? "The value"} is not a {typeof(T).Name}; one of: {Accepted}.");
}

internal static class Utf8JsonReaderExtensions
{
    public static string GetRawNumber(this ref Utf8JsonReader reader) =>
        System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
}
