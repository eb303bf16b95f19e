using System.Text.Json;

namespace Talko.Server.Features.Calls;

/// <summary>How a live call's quality figures are kept in the ephemeral store: a map by participant key.</summary>
public static class CallQualityRecords
{
    /// <summary>The key of one participant's quality in the stored map: user and device, as the view lists them.</summary>
    public static string Key(Guid userId, Guid? deviceId) => $"{userId:N}/{deviceId:N}";

    /// <summary>The stored figures of a live call, by <see cref="Key"/>; empty when none (or unreadable).</summary>
    public static IReadOnlyDictionary<string, CallQualityView> Read(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return new Dictionary<string, CallQualityView>();
        }

        try
        {
            return JsonSerializer.Deserialize(stored, CallsJson.Default.DictionaryStringCallQualityView) ?? [];
        }
        catch (JsonException)
        {
            // Written by another version during a rolling deploy: the view goes without quality for an interval.
            return new Dictionary<string, CallQualityView>();
        }
    }
}
