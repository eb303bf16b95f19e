using System.Text.Json;

namespace Talko.Core.Notifications;

internal static class HttpContentJson
{
    /// <summary>Largest error body a provider answer may have before we stop reading it.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The body as JSON, or null when it is empty.</summary>
    public static async Task<JsonDocument?> ReadFromJsonDocumentAsync(this HttpContent content, CancellationToken cancellationToken)
    {
        var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return null;
        }

        if (bytes.Length > MaxBodyBytes)
        {
            throw new JsonException($"Response body of {bytes.Length} bytes is over the {MaxBodyBytes} byte limit.");
        }

        return JsonDocument.Parse(bytes);
    }
}
