using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Notifications.Apns;

/// <summary>
/// Sends to APNs over HTTP/2 with token-based authentication: POST /3/device/{token} with the
/// apns-* headers and a JSON payload; the answer's status and "reason" decide the outcome.
/// </summary>
public sealed class ApnsProvider(HttpClient http, ApnsOptions options, ApnsProviderToken providerToken, TimeProvider time, ILogger<ApnsProvider> logger) : INotificationProvider
{
    /// <summary>APNs limits apns-collapse-id to 64 bytes.</summary>
    public const int MaxCollapseIdBytes = 64;

    /// <summary>Appended to the bundle id to form the topic of VoIP pushes.</summary>
    public const string VoipTopicSuffix = ".voip";

    public PushChannel Channel => PushChannel.Apns;

    public async Task<DeliveryOutcome> SendAsync(PushDelivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.Address.Length == 0 || !delivery.Address.All(char.IsAsciiHexDigit))
        {
            return DeliveryOutcome.Gone("BadDeviceToken (not hexadecimal)");
        }

        var body = Encoding.UTF8.GetBytes(ApnsPayload.Build(delivery.Message).ToJsonString());
        if (body.Length > options.MaxPayloadBytes)
        {
            return DeliveryOutcome.Reject($"PayloadTooLarge ({body.Length} bytes)");
        }

        var bearer = providerToken.Current();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, $"/3/device/{delivery.Address}"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("authorization", $"bearer {bearer}");
        AddApnsHeaders(request.Headers, delivery);

        var (response, failure) = await ProviderTransport.SendAsync(http, request, cancellationToken);
        if (response is null)
        {
            return failure!;
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return DeliveryOutcome.Delivered(response.Headers.TryGetValues("apns-id", out var ids) ? ids.FirstOrDefault() : null);
            }

            var reason = await ReadReasonAsync(response, cancellationToken);
            var outcome = Classify(response.StatusCode, reason, RetryAfterHeader.Read(response, time.GetUtcNow()));
            if (reason is "ExpiredProviderToken" or "InvalidProviderToken")
            {
                providerToken.Reject(bearer);
            }

            NotificationLog.ProviderRefused(logger, "APNs", (int)response.StatusCode, reason, outcome.Status);
            return outcome;
        }
    }

    /// <summary>Maps an APNs error answer to what the dispatcher does (Apple's "Handling notification responses from APNs").</summary>
    public static DeliveryOutcome Classify(HttpStatusCode status, string reason, TimeSpan? retryAfter) => (int)status switch
    {
        410 => DeliveryOutcome.Gone(reason),
        400 when reason is "BadDeviceToken" or "DeviceTokenNotForTopic" => DeliveryOutcome.Gone(reason),
        403 when reason is "ExpiredProviderToken" or "InvalidProviderToken" => DeliveryOutcome.Retry(reason, retryAfter),
        429 => DeliveryOutcome.Retry(reason, retryAfter),
        >= 500 => DeliveryOutcome.Retry(reason, retryAfter),
        _ => DeliveryOutcome.Reject(reason),
    };

    private void AddApnsHeaders(HttpRequestHeaders headers, PushDelivery delivery)
    {
        var message = delivery.Message;
        headers.TryAddWithoutValidation("apns-id", delivery.EventId.ToString("D"));
        // VoIP pushes go to the app's ".voip" topic (Apple: "Sending notification requests to APNs", apns-topic).
        headers.TryAddWithoutValidation("apns-topic", message.Ring ? options.Topic + VoipTopicSuffix : options.Topic);
        headers.TryAddWithoutValidation("apns-push-type", message.Ring ? "voip" : message.Background ? "background" : "alert");
        // Background pushes must use priority 5; APNs rejects 10 for them.
        headers.TryAddWithoutValidation("apns-priority", !message.Ring && (message.Background || message.Urgency == PushUrgency.Normal) ? "5" : "10");
        if (message.ExpiresAt is { } expires)
        {
            headers.TryAddWithoutValidation("apns-expiration", expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (message.CollapseKey is { } collapse)
        {
            headers.TryAddWithoutValidation("apns-collapse-id", CollapseId(collapse));
        }
    }

    /// <summary>The collapse key as sent: unchanged when it fits in 64 bytes, otherwise a hash of it that does.</summary>
    public static string CollapseId(string key) =>
        Encoding.UTF8.GetByteCount(key) <= MaxCollapseIdBytes
            ? key
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static async Task<string> ReadReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var json = await response.Content.ReadFromJsonDocumentAsync(cancellationToken);
            return json?.RootElement.TryGetProperty("reason", out var reason) == true && reason.GetString() is { } text
                ? text
                : $"HTTP {(int)response.StatusCode}";
        }
        catch (JsonException)
        {
            return $"HTTP {(int)response.StatusCode}";
        }
    }
}
