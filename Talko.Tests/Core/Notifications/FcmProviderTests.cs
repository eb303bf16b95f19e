using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Notifications;
using Talko.Core.Notifications.Fcm;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Core.Notifications;

/// <summary>The FCM HTTP v1 client and its OAuth 2.0 service-account grant against a local Google.</summary>
public sealed class FcmProviderTests : IAsyncLifetime
{
    private const string RegistrationToken = "fcm-token-1:APA91bH-example";
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private readonly FakeFcm fcm = new();
    private GoogleServiceAccountTokens tokens = null!;
    private FcmProvider provider = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        fcm.Time = time;
        await fcm.StartAsync();
        var options = new FcmOptions { BaseUrl = fcm.BaseUrl, ServiceAccountJson = fcm.ServiceAccountJson };
        http = ProviderHttp.CreateHttp2(TestTimeouts.Default);
        tokens = new GoogleServiceAccountTokens(ProviderHttp.CreateHttp2Handler(), TestTimeouts.Default, options, time, NullLogger<GoogleServiceAccountTokens>.Instance);
        provider = new FcmProvider(http, options, tokens, time, NullLogger<FcmProvider>.Instance);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fcm.DisposeAsync();
    }

    [Fact]
    public async Task A_message_carries_token_notification_data_and_collapse_keys_for_android_and_apns()
    {
        var delivery = Delivery(new PushMessage
        {
            Title = "Ana in Design",
            Body = "Shall we ship?",
            Badge = 4,
            CollapseKey = "conversation-42",
            Data = new Dictionary<string, string> { ["conversationId"] = "42" },
        });

        var outcome = await provider.SendAsync(delivery, CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.True(outcome.Status == DeliveryStatus.Delivered, $"{outcome.Status}: {outcome.Reason}");
        Assert.StartsWith($"projects/{fcm.ProjectId}/messages/", outcome.ProviderId);
        Assert.Empty(fcm.TokenViolations);
        var message = Assert.Single(fcm.Requests).Body!["message"]!;
        Assert.Equal(RegistrationToken, (string?)message["token"]);
        Assert.Equal("Ana in Design", (string?)message["notification"]!["title"]);
        Assert.Equal("Shall we ship?", (string?)message["notification"]!["body"]);
        Assert.Equal("42", (string?)message["data"]!["conversationId"]);
        Assert.Equal(delivery.EventId.ToString("D"), (string?)message["data"]!["talko_event_id"]);
        Assert.Equal("conversation-42", (string?)message["android"]!["collapse_key"]);
        Assert.Equal("HIGH", (string?)message["android"]!["priority"]);
        Assert.Equal("conversation-42", (string?)message["apns"]!["headers"]!["apns-collapse-id"]);
        Assert.Equal(4, (int?)message["apns"]!["payload"]!["aps"]!["badge"]);
    }

    [Fact]
    public async Task The_access_token_is_exchanged_once_cached_and_exchanged_again_after_it_expires()
    {
        await SendOkAsync();
        await SendOkAsync();
        Assert.Equal(1, fcm.TokensIssued);

        // Past the 3599 s lifetime. (In its last minutes Google.Apis.Auth already refreshes in the background while
        // it still hands out the old token; past the end it must wait for a new one.)
        time.Advance(TimeSpan.FromMinutes(61));
        await SendOkAsync();

        Assert.Equal(2, fcm.TokensIssued);
        Assert.Empty(fcm.TokenViolations);
        Assert.Equal(2, fcm.Requests.Select(r => r.Headers["authorization"]).Distinct().Count());
    }

    [Fact]
    public async Task A_bad_service_account_key_is_refused_by_the_token_endpoint_and_becomes_a_retry()
    {
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var options = new FcmOptions { BaseUrl = fcm.BaseUrl, TokenUrl = fcm.TokenUrl, ProjectId = fcm.ProjectId, ClientEmail = fcm.ClientEmail, PrivateKey = otherKey.ExportPkcs8PrivateKeyPem() };
        var wrongTokens = new GoogleServiceAccountTokens(ProviderHttp.CreateHttp2Handler(), TestTimeouts.Default, options, time, NullLogger<GoogleServiceAccountTokens>.Instance);
        var wrong = new FcmProvider(http, options, wrongTokens, time, NullLogger<FcmProvider>.Instance);

        var outcome = await wrong.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.RetryLater, outcome.Status);
        Assert.Contains("invalid_grant", outcome.Reason);
        Assert.Equal("bad signature", Assert.Single(fcm.TokenViolations));
        Assert.Empty(fcm.Requests);
    }

    [Theory]
    [InlineData(404, "UNREGISTERED", DeliveryStatus.AddressGone, null)]
    [InlineData(400, "INVALID_ARGUMENT", DeliveryStatus.AddressGone, null)]
    [InlineData(429, "QUOTA_EXCEEDED", DeliveryStatus.RetryLater, 60)]
    [InlineData(503, "UNAVAILABLE", DeliveryStatus.RetryLater, 10)]
    [InlineData(500, "INTERNAL", DeliveryStatus.RetryLater, null)]
    [InlineData(403, "SENDER_ID_MISMATCH", DeliveryStatus.AddressGone, null)]
    [InlineData(401, "THIRD_PARTY_AUTH_ERROR", DeliveryStatus.Rejected, null)]
    public async Task Error_codes_are_classified_as_firebase_documents_them(int status, string code, DeliveryStatus expected, int? retryAfter)
    {
        fcm.Script = (_, _) => new FakeAnswer(status, code, retryAfter);

        var outcome = await provider.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(expected, outcome.Status);
        Assert.StartsWith(code, outcome.Reason);
        Assert.Equal(retryAfter is { } seconds ? TimeSpan.FromSeconds(seconds) : null, outcome.RetryAfter);
    }

    [Fact]
    public void INVALID_ARGUMENT_about_a_message_field_rejects_the_message_but_keeps_the_token()
    {
        using var json = System.Text.Json.JsonDocument.Parse("""
            {"error":{"code":400,"message":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12","status":"INVALID_ARGUMENT",
              "details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value","description":"Invalid value"}]}]}}
            """);

        var outcome = FcmProvider.Classify(HttpStatusCode.BadRequest, FcmError.From(HttpStatusCode.BadRequest, json), null);

        Assert.Equal(DeliveryStatus.Rejected, outcome.Status);
    }

    [Fact]
    public async Task An_expired_access_token_answered_with_401_is_dropped_and_the_retry_exchanges_a_new_one()
    {
        await SendOkAsync();
        fcm.Script = (_, attempt) => attempt == 2 ? new FakeAnswer(401, "UNAUTHENTICATED") : null;

        var refused = await provider.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);
        await SendOkAsync();

        Assert.Equal(DeliveryStatus.RetryLater, refused.Status);
        Assert.Equal(2, fcm.TokensIssued);
    }

    private async Task SendOkAsync() =>
        Assert.Equal(DeliveryStatus.Delivered, (await provider.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default)).Status);

    private PushDelivery Delivery(PushMessage message) => new(Guid.NewGuid(), PushChannel.Fcm, RegistrationToken, message, time.GetUtcNow());
}
