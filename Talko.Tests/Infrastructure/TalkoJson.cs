using System.Text.Json;
using System.Text.Json.Serialization;

namespace Talko.Tests.Infrastructure;

/// <summary>The JSON options the server uses (web defaults, enums as strings), for reading its answers.</summary>
public static class TalkoJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
