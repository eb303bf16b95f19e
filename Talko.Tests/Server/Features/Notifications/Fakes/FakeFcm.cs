using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Talko.Tests.Server.Features.Notifications.Fakes;

/// <summary>
/// A local Google: the OAuth 2.0 token endpoint (JWT bearer grant; RS256 assertion checked with the
/// service account's public key: iss, scope, aud, iat, exp of at most an hour) and FCM HTTP v1
/// projects.messages.send (bearer token it issued, message shape), answering with Google's success and
/// google.rpc.Status error shapes including the FcmError detail.
/// </summary>
public sealed partial class FakeFcm : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> issued = new();
    private readonly ConcurrentDictionary<string, int> attemptsByToken = new();
    private LocalHttpServer? server;
    private int tokenCounter;
    private int messageCounter;

    public FakeFcm(string projectId = "talko-test", string clientEmail = "push@talko-test.iam.gserviceaccount.com")
    {
        ProjectId = projectId;
        ClientEmail = clientEmail;
    }

    public RSA Key { get; } = RSA.Create(2048);

    public string ProjectId { get; }

    public string ClientEmail { get; }

    public TimeProvider Time { get; set; } = TimeProvider.System;

    public Func<string, int, FakeAnswer?> Script { get; set; } = (_, _) => null;

    public ConcurrentQueue<FcmRequest> Requests { get; } = new();

    public ConcurrentQueue<string> TokenViolations { get; } = new();

    public int TokensIssued => Volatile.Read(ref tokenCounter);

    public Uri BaseUrl => server?.BaseUrl ?? throw new InvalidOperationException("Start the fake first.");

    public Uri TokenUrl => new(BaseUrl, "/token");

    /// <summary>The audience Google requires in a service-account assertion.</summary>
    public const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    /// <summary>A service account key file as Google issues it.</summary>
    public string ServiceAccountJson => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = "0123456789abcdef",
        ["private_key"] = Key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["token_uri"] = TokenUrl.ToString(),
    }.ToJsonString();

    public async Task<FakeFcm> StartAsync()
    {
        server = await LocalHttpServer.StartAsync(HandleAsync);
        return this;
    }

    public ValueTask DisposeAsync() => server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private Task HandleAsync(HttpContext context) =>
        context.Request.Path == "/token" ? TokenAsync(context) : SendAsync(context);

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var jwt = TestJwt.TryParse(form["assertion"].ToString());
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        string? violation = form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" ? "unsupported grant_type"
            : jwt is null || !jwt.VerifiesWith(Key) ? "bad signature"
            : (string?)jwt.Claims["iss"] != ClientEmail ? "iss"
            : (string?)jwt.Claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging" ? "scope"
            // Google.Apis.Auth signs for Google's token endpoint whatever URL it posts to, as Google documents the audience.
            : (string?)jwt.Claims["aud"] != GoogleTokenAudience ? "aud"
            : jwt.NumericClaim("iat") is not { } iat || jwt.NumericClaim("exp") is not { } exp ? "iat/exp missing"
            : exp - iat > 3600 || exp <= now || iat > now + 60 ? "iat/exp out of range"
            : null;
        context.Response.ContentType = "application/json";
        if (violation is not null)
        {
            TokenViolations.Enqueue(violation);
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(new JsonObject { ["error"] = "invalid_grant", ["error_description"] = violation }.ToJsonString());
            return;
        }

        var token = $"ya29.fake-{Interlocked.Increment(ref tokenCounter)}";
        issued[token] = Time.GetUtcNow().AddSeconds(3599);
        await context.Response.WriteAsync(new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" }.ToJsonString());
    }

    private async Task SendAsync(HttpContext context)
    {
        var match = SendPath().Match(context.Request.Path.Value ?? "");
        JsonObject? body = null;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
        }

        var bearer = context.Request.Headers.Authorization.ToString();
        var accessToken = bearer.StartsWith("Bearer ", StringComparison.Ordinal) ? bearer[7..] : "";
        var message = body?["message"] as JsonObject;
        var deviceToken = (string?)message?["token"] ?? "";
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());

        FakeAnswer? answer;
        if (context.Request.Protocol != "HTTP/2" || context.Request.Method != "POST" || !match.Success || match.Groups[1].Value != ProjectId)
        {
            answer = new FakeAnswer(404, "NOT_FOUND");
        }
        else if (!issued.TryGetValue(accessToken, out var expires) || expires <= Time.GetUtcNow())
        {
            answer = new FakeAnswer(401, "UNAUTHENTICATED");
        }
        else if (Invalid(message) is { } field)
        {
            answer = new FakeAnswer(400, "BadRequest:" + field);
        }
        else
        {
            answer = Script(deviceToken, attemptsByToken.AddOrUpdate(deviceToken, 1, (_, n) => n + 1));
        }

        Requests.Enqueue(new FcmRequest(deviceToken, headers, body, answer?.Status ?? 200, answer?.Reason ?? ""));
        context.Response.ContentType = "application/json";
        if (answer is null)
        {
            await context.Response.WriteAsync(new JsonObject { ["name"] = $"projects/{ProjectId}/messages/0:{Interlocked.Increment(ref messageCounter)}" }.ToJsonString());
            return;
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsync(ErrorBody(answer).ToJsonString());
    }

    /// <summary>Google's error shape: google.rpc.Status with an FcmError or BadRequest detail.</summary>
    private static JsonObject ErrorBody(FakeAnswer answer)
    {
        var (status, message, detail) = answer.Reason switch
        {
            "UNREGISTERED" => ("NOT_FOUND", "Requested entity was not found.", FcmDetail("UNREGISTERED")),
            "INVALID_ARGUMENT" => ("INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", FcmDetail("INVALID_ARGUMENT")),
            "QUOTA_EXCEEDED" => ("RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests'.", FcmDetail("QUOTA_EXCEEDED")),
            "UNAVAILABLE" => ("UNAVAILABLE", "The service is currently unavailable.", FcmDetail("UNAVAILABLE")),
            "UNAUTHENTICATED" => ("UNAUTHENTICATED", "Request had invalid authentication credentials.", null),
            "NOT_FOUND" => ("NOT_FOUND", "Not found.", null),
            var other when other.StartsWith("BadRequest:", StringComparison.Ordinal) => ("INVALID_ARGUMENT", $"Invalid value at '{other[11..]}'", new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new JsonArray(new JsonObject { ["field"] = other[11..], ["description"] = "Invalid value" }),
            }),
            var other => (other, other, FcmDetail(other)),
        };
        var error = new JsonObject { ["code"] = answer.Status, ["message"] = message, ["status"] = status };
        if (detail is not null)
        {
            error["details"] = new JsonArray(detail);
        }

        return new JsonObject { ["error"] = error };
    }

    private static JsonObject FcmDetail(string code) =>
        new() { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = code };

    /// <summary>The first field FCM would refuse, or null.</summary>
    private static string? Invalid(JsonObject? message)
    {
        if (message is null)
        {
            return "message";
        }

        if (message["token"] is not JsonValue token || string.IsNullOrEmpty((string?)token))
        {
            return "message.token";
        }

        if (message["data"] is JsonObject data && data.Any(pair => pair.Value is not JsonValue value || value.GetValueKind() != JsonValueKind.String))
        {
            return "message.data";
        }

        if (message["android"] is JsonObject android)
        {
            if (android["priority"] is JsonNode priority && (string?)priority is not ("HIGH" or "NORMAL"))
            {
                return "message.android.priority";
            }

            if (android["ttl"] is JsonNode ttl && !Duration().IsMatch((string?)ttl ?? ""))
            {
                return "message.android.ttl";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^/v1/projects/([^/]+)/messages:send$")]
    private static partial Regex SendPath();

    [GeneratedRegex(@"^\d+(\.\d{1,9})?s$")]
    private static partial Regex Duration();
}

/// <summary>One send as the fake FCM saw it.</summary>
public sealed record FcmRequest(string DeviceToken, IReadOnlyDictionary<string, string> Headers, JsonObject? Body, int Status, string Reason);
