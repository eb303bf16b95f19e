using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Talko.Tests.Server.Features.Notifications.Fakes;

/// <summary>
/// A local APNs: checks each request as Apple documents (HTTP/2, POST /3/device/{hex token}, an ES256
/// provider token with kid, iss and a fresh iat, apns-topic, apns-push-type, apns-priority,
/// apns-collapse-id of at most 64 bytes, a JSON payload with "aps" of at most 4 KB) and answers with
/// APNs' shapes: 200 with apns-id, or a status with {"reason": ...} (410 adds "timestamp").
/// </summary>
public sealed class FakeApns : IAsyncDisposable
{
    private static readonly string[] PushTypes = ["alert", "background", "voip", "complication", "fileprovider", "mdm", "location", "liveactivity", "pushtotalk"];
    private readonly ConcurrentDictionary<string, int> attemptsByToken = new();
    private LocalHttpServer? server;

    public FakeApns(string teamId = "TEAM123456", string keyId = "KEY1234567", string topic = "app.talko.ios")
    {
        TeamId = teamId;
        KeyId = keyId;
        Topic = topic;
        PrivateKeyPem = Key.ExportPkcs8PrivateKeyPem();
    }

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string PrivateKeyPem { get; }

    public string TeamId { get; }

    public string KeyId { get; }

    public string Topic { get; }

    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Decides an error answer for (device token, attempt number for that token from 1); null accepts.</summary>
    public Func<string, int, FakeAnswer?> Script { get; set; } = (_, _) => null;

    /// <summary>How long to hold each request before answering.</summary>
    public TimeSpan Delay { get; set; }

    public ConcurrentQueue<ApnsRequest> Requests { get; } = new();

    public IEnumerable<ApnsRequest> Accepted => Requests.Where(r => r.Status == 200);

    public Uri BaseUrl => server?.BaseUrl ?? throw new InvalidOperationException("Start the fake first.");

    public async Task<FakeApns> StartAsync()
    {
        server = await LocalHttpServer.StartAsync(HandleAsync);
        return this;
    }

    public ValueTask DisposeAsync() => server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var token = request.Path.StartsWithSegments("/3/device", out var rest) ? rest.Value!.TrimStart('/') : "";
        JsonObject? payload = null;
        try
        {
            payload = body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null;
        }
        catch (JsonException)
        {
        }

        var (status, reason) = Check(request, headers, token, body, payload);
        if (status == 200)
        {
            var attempt = attemptsByToken.AddOrUpdate(token, 1, (_, n) => n + 1);
            if (Script(token, attempt) is { } scripted)
            {
                (status, reason) = (scripted.Status, scripted.Reason);
                if (scripted.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }

        var apnsId = headers.GetValueOrDefault("apns-id") ?? Guid.NewGuid().ToString("D");
        Requests.Enqueue(new ApnsRequest(token, headers, payload, status, reason, apnsId));
        context.Response.StatusCode = status;
        context.Response.Headers["apns-id"] = apnsId;
        if (status != 200)
        {
            var error = new JsonObject { ["reason"] = reason };
            if (status == 410)
            {
                error["timestamp"] = Time.GetUtcNow().ToUnixTimeMilliseconds();
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(error.ToJsonString());
        }
    }

    private (int Status, string Reason) Check(HttpRequest request, Dictionary<string, string> headers, string token, byte[] body, JsonObject? payload)
    {
        if (request.Protocol != "HTTP/2")
        {
            return (400, "BadProtocol");
        }

        if (request.Method != "POST")
        {
            return (405, "MethodNotAllowed");
        }

        if (token.Length == 0 || !token.All(char.IsAsciiHexDigit))
        {
            return (400, "BadDeviceToken");
        }

        if (!headers.TryGetValue("authorization", out var authorization))
        {
            return (403, "MissingProviderToken");
        }

        var jwt = authorization.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase) ? TestJwt.TryParse(authorization[7..]) : null;
        if (jwt is null || !jwt.VerifiesWith(Key) || (string?)jwt.Header["kid"] != KeyId || (string?)jwt.Claims["iss"] != TeamId || jwt.NumericClaim("iat") is not { } iat)
        {
            return (403, "InvalidProviderToken");
        }

        var age = Time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(iat);
        if (age > TimeSpan.FromHours(1))
        {
            return (403, "ExpiredProviderToken");
        }

        if (age < TimeSpan.FromMinutes(-1))
        {
            return (403, "InvalidProviderToken");
        }

        if (!headers.TryGetValue("apns-topic", out var topic))
        {
            return (400, "MissingTopic");
        }

        if (!headers.TryGetValue("apns-push-type", out var pushType) || !PushTypes.Contains(pushType))
        {
            return (400, "InvalidPushType");
        }

        // VoIP pushes go to the ".voip" topic and only there.
        if (topic != (pushType == "voip" ? Topic + ".voip" : Topic))
        {
            return (400, pushType == "voip" ? "DeviceTokenNotForTopic" : "TopicDisallowed");
        }

        var priority = headers.GetValueOrDefault("apns-priority", "10");
        if (priority is not ("5" or "10" or "1") || (pushType == "background" && priority != "5"))
        {
            return (400, "BadPriority");
        }

        if (headers.TryGetValue("apns-collapse-id", out var collapse) && Encoding.UTF8.GetByteCount(collapse) > 64)
        {
            return (400, "BadCollapseId");
        }

        if (headers.TryGetValue("apns-id", out var id) && !Guid.TryParseExact(id, "D", out _))
        {
            return (400, "BadMessageId");
        }

        if (headers.TryGetValue("apns-expiration", out var expiration) && !long.TryParse(expiration, out _))
        {
            return (400, "BadExpirationDate");
        }

        if (body.Length == 0)
        {
            return (400, "PayloadEmpty");
        }

        if (body.Length > 4096)
        {
            return (413, "PayloadTooLarge");
        }

        return payload?["aps"] is JsonObject ? (200, "") : (400, "BadPayload");
    }
}

/// <summary>One request as the fake APNs saw it, and what it answered.</summary>
public sealed record ApnsRequest(string DeviceToken, IReadOnlyDictionary<string, string> Headers, JsonObject? Payload, int Status, string Reason, string ApnsId);
