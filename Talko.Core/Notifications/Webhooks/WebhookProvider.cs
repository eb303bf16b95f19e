using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Notifications.Webhooks;

/// <summary>
/// POSTs each event as JSON to an integration, signed with <see cref="WebhookSignature"/>. The event id
/// stays the same across retries so receivers can deduplicate.
/// </summary>
public sealed class WebhookProvider(HttpClient http, WebhookOptions options, TimeProvider time, ILogger<WebhookProvider> logger) : INotificationProvider
{
    public PushChannel Channel => PushChannel.Webhook;

    public async Task<DeliveryOutcome> SendAsync(PushDelivery delivery, CancellationToken cancellationToken)
    {
        var url = delivery.Address.Length > 0 && Uri.TryCreate(delivery.Address, UriKind.Absolute, out var own) ? own : options.Url;
        if (url is null || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return DeliveryOutcome.Reject($"no usable webhook URL ('{delivery.Address}')");
        }

        var body = System.Text.Encoding.UTF8.GetBytes(Envelope(delivery).ToJsonString());
        var id = delivery.EventId.ToString("D");
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Compute(options.Secret, id, timestamp, body));

        var (response, failure) = await ProviderTransport.SendAsync(http, request, cancellationToken);
        if (response is null)
        {
            return failure!;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return DeliveryOutcome.Delivered();
            }

            var reason = $"HTTP {status}";
            var outcome = response.StatusCode switch
            {
                HttpStatusCode.Gone => DeliveryOutcome.Gone(reason),
                HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => DeliveryOutcome.Retry(reason, RetryAfterHeader.Read(response, time.GetUtcNow())),
                _ when status >= 500 => DeliveryOutcome.Retry(reason, RetryAfterHeader.Read(response, time.GetUtcNow())),
                _ => DeliveryOutcome.Reject(reason),
            };
            NotificationLog.ProviderRefused(logger, "Webhook", status, reason, outcome.Status);
            return outcome;
        }
    }

    /// <summary>The JSON the receiver gets: {id, type, createdAt, notification: {...}, data: {...}}.</summary>
    public static JsonObject Envelope(PushDelivery delivery)
    {
        var message = delivery.Message;
        var data = new JsonObject();
        foreach (var (key, value) in message.Data)
        {
            data[key] = value;
        }

        return new JsonObject
        {
            ["id"] = delivery.EventId.ToString("D"),
            ["type"] = message.Kind,
            ["createdAt"] = delivery.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["notification"] = new JsonObject
            {
                ["title"] = message.Title,
                ["body"] = message.Body,
                ["count"] = message.Count,
                ["badge"] = message.Badge,
            },
            ["data"] = data,
        };
    }
}
