using System.Text.Json.Serialization;

namespace Talko.Server.Features.Calls;

/// <summary>One talk spurt in a segment, in milliseconds from the segment's start.</summary>
public sealed record TalkerSpurt(string LegId, long StartMs, long EndMs);

[JsonSerializable(typeof(List<TalkerSpurt>))]
[JsonSerializable(typeof(Dictionary<string, CallQualityView>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class CallsJson : JsonSerializerContext;
