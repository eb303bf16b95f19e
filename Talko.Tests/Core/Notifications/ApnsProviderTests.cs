using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Notifications;
using Talko.Core.Notifications.Apns;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Core.Notifications;

/// <summary>The APNs client against a local HTTP/2 APNs that checks requests as Apple does.</summary>
public sealed class ApnsProviderTests : IAsyncLifetime
{
    private const string DeviceToken = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private readonly FakeApns apns = new();
    private ApnsProviderToken providerToken = null!;
    private ApnsProvider provider = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        apns.Time = time;
        await apns.StartAsync();
        var options = new ApnsOptions { BaseUrl = apns.BaseUrl, TeamId = apns.TeamId, KeyId = apns.KeyId, Topic = apns.Topic, PrivateKey = apns.PrivateKeyPem };
        providerToken = new ApnsProviderToken(options, time);
        http = ProviderHttp.CreateHttp2(TestTimeouts.Default);
        provider = new ApnsProvider(http, options, providerToken, time, NullLogger<ApnsProvider>.Instance);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        providerToken.Dispose();
        await apns.DisposeAsync();
    }

    [Fact]
    public async Task An_alert_reaches_APNs_with_every_header_and_the_payload_apple_expects()
    {
        var delivery = Delivery(new PushMessage
        {
            Title = "Ana in Design",
            Body = "Shall we ship?",
            Badge = 3,
            Sound = "default",
            CollapseKey = "conversation-42",
            ThreadId = "conversation-42",
            Data = new Dictionary<string, string> { ["conversationId"] = "42" },
        });

        var outcome = await provider.SendAsync(delivery, CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.Equal(delivery.EventId.ToString("D"), outcome.ProviderId);
        var request = Assert.Single(apns.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal(DeviceToken, request.DeviceToken);
        Assert.Equal("alert", request.Headers["apns-push-type"]);
        Assert.Equal("10", request.Headers["apns-priority"]);
        Assert.Equal("conversation-42", request.Headers["apns-collapse-id"]);
        Assert.Equal(apns.Topic, request.Headers["apns-topic"]);
        Assert.Equal("Ana in Design", (string?)request.Payload!["aps"]!["alert"]!["title"]);
        Assert.Equal("Shall we ship?", (string?)request.Payload["aps"]!["alert"]!["body"]);
        Assert.Equal(3, (int?)request.Payload["aps"]!["badge"]);
        Assert.Equal("conversation-42", (string?)request.Payload["aps"]!["thread-id"]);
        Assert.Equal("42", (string?)request.Payload["conversationId"]);
    }

    [Fact]
    public async Task A_background_push_goes_at_priority_five_with_content_available()
    {
        var outcome = await provider.SendAsync(Delivery(new PushMessage { Background = true, Badge = 1 }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        var request = Assert.Single(apns.Requests);
        Assert.Equal("background", request.Headers["apns-push-type"]);
        Assert.Equal("5", request.Headers["apns-priority"]);
        Assert.Equal(1, (int?)request.Payload!["aps"]!["content-available"]);
    }

    [Fact]
    public async Task A_long_collapse_key_is_hashed_to_fit_64_bytes()
    {
        var outcome = await provider.SendAsync(Delivery(new PushMessage { Title = "t", CollapseKey = new string('k', 100) }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.Equal(64, Encoding.UTF8.GetByteCount(Assert.Single(apns.Requests).Headers["apns-collapse-id"]));
    }

    [Fact]
    public async Task The_provider_token_is_reused_then_replaced_after_the_refresh_age_and_never_sooner_than_20_minutes()
    {
        await SendOkAsync();
        time.Advance(TimeSpan.FromMinutes(19));
        await SendOkAsync();
        Assert.Equal(1, providerToken.Issued);

        // A rejection of a young token does not replace it (Apple answers TooManyProviderTokenUpdates to that).
        providerToken.Reject(providerToken.Current());
        Assert.Equal(1, providerToken.Issued);

        time.Advance(TimeSpan.FromMinutes(31)); // 50 minutes old: the default refresh age.
        await SendOkAsync();
        Assert.Equal(2, providerToken.Issued);
        var tokens = apns.Requests.Select(r => r.Headers["authorization"]).Distinct().Count();
        Assert.Equal(2, tokens);
    }

    [Fact]
    public async Task A_refresh_age_over_55_minutes_is_clamped_so_APNs_never_sees_an_hour_old_token()
    {
        var options = new ApnsOptions { BaseUrl = apns.BaseUrl, TeamId = apns.TeamId, KeyId = apns.KeyId, Topic = apns.Topic, PrivateKey = apns.PrivateKeyPem, TokenRefreshAfter = TimeSpan.FromHours(3) };
        using var token = new ApnsProviderToken(options, time);
        var stale = new ApnsProvider(http, options, token, time, NullLogger<ApnsProvider>.Instance);
        Assert.Equal(ApnsProviderToken.MaximumRefreshAfter, token.RefreshAfter);

        await stale.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);
        time.Advance(TimeSpan.FromMinutes(61));
        // The clamp already replaces it at 55 minutes, so APNs never sees an hour-old token from us.
        var outcome = await stale.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.Equal(2, token.Issued);
    }

    [Fact]
    public async Task ExpiredProviderToken_from_APNs_makes_the_next_attempt_sign_a_new_token()
    {
        // APNs thinks the 25-minute-old token has expired (say, our clock is behind): old enough to replace.
        apns.Script = (_, attempt) => attempt == 2 ? new FakeAnswer(403, "ExpiredProviderToken") : null;
        await SendOkAsync();
        time.Advance(TimeSpan.FromMinutes(25));
        var first = await provider.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        var second = await provider.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.RetryLater, first.Status);
        Assert.Equal(DeliveryStatus.Delivered, second.Status);
        Assert.Equal(2, providerToken.Issued);
    }

    [Theory]
    [InlineData(410, "Unregistered", DeliveryStatus.AddressGone)]
    [InlineData(400, "BadDeviceToken", DeliveryStatus.AddressGone)]
    [InlineData(400, "DeviceTokenNotForTopic", DeliveryStatus.AddressGone)]
    [InlineData(429, "TooManyRequests", DeliveryStatus.RetryLater)]
    [InlineData(500, "InternalServerError", DeliveryStatus.RetryLater)]
    [InlineData(503, "ServiceUnavailable", DeliveryStatus.RetryLater)]
    [InlineData(403, "ExpiredProviderToken", DeliveryStatus.RetryLater)]
    [InlineData(413, "PayloadTooLarge", DeliveryStatus.Rejected)]
    [InlineData(400, "BadTopic", DeliveryStatus.Rejected)]
    public async Task Error_answers_are_classified_as_apple_documents_them(int status, string reason, DeliveryStatus expected)
    {
        apns.Script = (_, _) => new FakeAnswer(status, reason, RetryAfterSeconds: status == 429 ? 30 : null);

        var outcome = await provider.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(expected, outcome.Status);
        Assert.Equal(reason, outcome.Reason);
        Assert.Equal(status == 429 ? TimeSpan.FromSeconds(30) : null, outcome.RetryAfter);
    }

    [Fact]
    public async Task A_token_that_is_not_hexadecimal_is_gone_without_asking_APNs()
    {
        var outcome = await provider.SendAsync(Delivery(new PushMessage { Title = "t" }) with { Address = "not/a/token" }, CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.AddressGone, outcome.Status);
        Assert.Empty(apns.Requests);
    }

    [Fact]
    public async Task An_unreachable_APNs_is_a_retry_not_an_exception()
    {
        var options = new ApnsOptions { BaseUrl = new Uri($"http://127.0.0.1:{FreePort.Find()}"), TeamId = apns.TeamId, KeyId = apns.KeyId, Topic = apns.Topic, PrivateKey = apns.PrivateKeyPem };
        using var token = new ApnsProviderToken(options, time);
        var unreachable = new ApnsProvider(http, options, token, time, NullLogger<ApnsProvider>.Instance);

        var outcome = await unreachable.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.RetryLater, outcome.Status);
    }

    private async Task SendOkAsync() =>
        Assert.Equal(DeliveryStatus.Delivered, (await provider.SendAsync(Delivery(new PushMessage { Title = "t" }), CancellationToken.None).WaitAsync(TestTimeouts.Default)).Status);

    private PushDelivery Delivery(PushMessage message) => new(Guid.NewGuid(), PushChannel.Apns, DeviceToken, message, time.GetUtcNow());
}
