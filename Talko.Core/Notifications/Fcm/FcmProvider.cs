using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Notifications.Fcm;

/// <summary>
/// Sends through FCM HTTP v1: POST /v1/projects/{project}/messages:send with an OAuth 2.0 bearer token.
/// Errors carry google.rpc.Status with a google.firebase.fcm.v1.FcmError detail whose errorCode decides
/// the outcome. The OAuth 2.0 access token comes from Google.Apis.Auth (<see cref="GoogleServiceAccountTokens"/>).
/// </summary>
public sealed class FcmProvider(HttpClient http, FcmOptions options, GoogleServiceAccountTokens tokens, TimeProvider time, ILogger<FcmProvider> logger) : INotificationProvider
{
    public PushChannel Channel => PushChannel.Fcm;

    public async Task<DeliveryOutcome> SendAsync(PushDelivery delivery, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(delivery.Address))
        {
            return DeliveryOutcome.Gone("INVALID_ARGUMENT (empty registration token)");
        }

        var (accessToken, tokenError) = await tokens.GetAsync(cancellationToken);
        if (accessToken is null)
        {
            return DeliveryOutcome.Retry(tokenError ?? "no access token", null);
        }

        var now = time.GetUtcNow();
        var ttl = delivery.Message.ExpiresAt is { } expires ? Max(expires - now, TimeSpan.Zero) : options.DefaultTimeToLive;
        var body = FcmMessage.Build(delivery, ttl).ToJsonString();
        var project = Uri.EscapeDataString(tokens.Account.ProjectId);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, $"/v1/projects/{project}/messages:send"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        var (response, failure) = await ProviderTransport.SendAsync(http, request, cancellationToken);
        if (response is null)
        {
            return failure!;
        }

        using (response)
        {
            JsonDocument? json;
            try
            {
                json = await response.Content.ReadFromJsonDocumentAsync(cancellationToken);
            }
            catch (JsonException)
            {
                json = null;
            }

            using (json)
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return DeliveryOutcome.Delivered(json?.RootElement.TryGetProperty("name", out var name) == true ? name.GetString() : null);
                }

                var error = FcmError.From(response.StatusCode, json);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    tokens.Reject(accessToken);
                }

                var outcome = Classify(response.StatusCode, error, RetryAfterHeader.Read(response, now));
                NotificationLog.ProviderRefused(logger, "FCM", (int)response.StatusCode, error.ToString(), outcome.Status);
                return outcome;
            }
        }
    }

    /// <summary>Maps an FCM error to what the dispatcher does (Firebase "FCM error codes" for HTTP v1).</summary>
    public static DeliveryOutcome Classify(HttpStatusCode status, FcmError error, TimeSpan? retryAfter) => error.Code switch
    {
        "UNREGISTERED" or "SENDER_ID_MISMATCH" => DeliveryOutcome.Gone(error.ToString()),
        // The same code covers a malformed token and a malformed message: only the former removes the token.
        "INVALID_ARGUMENT" when error.IsAboutToken => DeliveryOutcome.Gone(error.ToString()),
        "INVALID_ARGUMENT" => DeliveryOutcome.Reject(error.ToString()),
        "QUOTA_EXCEEDED" or "UNAVAILABLE" or "INTERNAL" => DeliveryOutcome.Retry(error.ToString(), retryAfter),
        "UNAUTHENTICATED" => DeliveryOutcome.Retry(error.ToString(), retryAfter),
        _ when status == HttpStatusCode.TooManyRequests || (int)status >= 500 => DeliveryOutcome.Retry(error.ToString(), retryAfter),
        _ => DeliveryOutcome.Reject(error.ToString()),
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>The parts of an FCM error answer that decide what to do.</summary>
/// <param name="Code">The FcmError errorCode when present, else the google.rpc status.</param>
/// <param name="Message">Google's message.</param>
/// <param name="IsAboutToken">True when the error names the registration token (field message.token, or FCM's own INVALID_ARGUMENT detail).</param>
public sealed record FcmError(string Code, string Message, bool IsAboutToken)
{
    public override string ToString() => $"{Code}: {Message}";

    public static FcmError From(HttpStatusCode status, JsonDocument? json)
    {
        if (json is null || !json.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
        {
            return new FcmError($"HTTP {(int)status}", "", false);
        }

        var code = error.TryGetProperty("status", out var rpcStatus) ? rpcStatus.GetString() ?? "" : "";
        var message = error.TryGetProperty("message", out var text) ? text.GetString() ?? "" : "";
        var aboutToken = false;
        if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (var detail in details.EnumerateArray())
            {
                var type = detail.TryGetProperty("@type", out var t) ? t.GetString() : null;
                if (type == "type.googleapis.com/google.firebase.fcm.v1.FcmError" && detail.TryGetProperty("errorCode", out var fcmCode))
                {
                    code = fcmCode.GetString() ?? code;
                    // FCM reports a bad token as its own INVALID_ARGUMENT; bad fields come as google.rpc.BadRequest.
                    aboutToken |= code == "INVALID_ARGUMENT";
                }
                else if (type == "type.googleapis.com/google.rpc.BadRequest" && detail.TryGetProperty("fieldViolations", out var violations))
                {
                    aboutToken |= violations.EnumerateArray().Any(v => v.TryGetProperty("field", out var f) && f.GetString() == "message.token");
                }
            }
        }

        return new FcmError(code.Length > 0 ? code : $"HTTP {(int)status}", message, aboutToken);
    }
}
