using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Notifications;
using Talko.Core.Notifications.Webhooks;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Core.Notifications;

/// <summary>Signed webhooks, verified by a receiver that does what docs/notifications.md tells integrators to do.</summary>
public sealed class WebhookProviderTests : IAsyncLifetime
{
    private const string Secret = "whsec-test-3f9a";
    private readonly ConcurrentQueue<(bool Verified, string Id, JsonObject Body)> received = new();
    private LocalHttpServer receiver = null!;
    private HttpClient http = null!;

    public int Status { get; set; } = 204;

    public async Task InitializeAsync()
    {
        receiver = await LocalHttpServer.StartAsync(ReceiveAsync, HttpProtocols.Http1);
        http = ProviderHttp.CreateWebhook(TestTimeouts.Default);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task The_receiver_verifies_the_signature_over_id_timestamp_and_raw_body()
    {
        var provider = Provider(Secret);
        var delivery = new PushDelivery(Guid.NewGuid(), PushChannel.Webhook, "", new PushMessage { Kind = "item.posted", Title = "Ana", Body = "hi", Data = new Dictionary<string, string> { ["conversationId"] = "42" } }, DateTimeOffset.UtcNow);

        var outcome = await provider.SendAsync(delivery, CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        var (verified, id, body) = Assert.Single(received);
        Assert.True(verified);
        Assert.Equal(delivery.EventId.ToString("D"), id);
        Assert.Equal("item.posted", (string?)body["type"]);
        Assert.Equal("42", (string?)body["data"]!["conversationId"]);
    }

    [Fact]
    public async Task A_different_secret_does_not_verify()
    {
        await Provider("another-secret").SendAsync(Delivery(), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.False(Assert.Single(received).Verified);
    }

    [Fact]
    public void A_tampered_body_or_a_stale_timestamp_does_not_verify()
    {
        var now = DateTimeOffset.UtcNow;
        var body = "{\"id\":\"x\"}"u8.ToArray();
        var signature = WebhookSignature.Compute(Secret, "x", now.ToUnixTimeSeconds(), body);
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(WebhookSignature.Verify(Secret, "x", timestamp, signature, body, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, "x", timestamp, signature, "{\"id\":\"y\"}"u8, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, "y", timestamp, signature, body, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, "x", timestamp, signature, body, now.AddMinutes(6), TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData(503, DeliveryStatus.RetryLater)]
    [InlineData(429, DeliveryStatus.RetryLater)]
    [InlineData(410, DeliveryStatus.AddressGone)]
    [InlineData(400, DeliveryStatus.Rejected)]
    public async Task Receiver_answers_decide_retry_gone_or_reject(int status, DeliveryStatus expected)
    {
        Status = status;

        var outcome = await Provider(Secret).SendAsync(Delivery(), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(expected, outcome.Status);
    }

    private WebhookProvider Provider(string secret) =>
        new(http, new WebhookOptions { Url = new Uri(receiver.BaseUrl, "/hooks/talko"), Secret = secret }, TimeProvider.System, NullLogger<WebhookProvider>.Instance);

    private static PushDelivery Delivery() => new(Guid.NewGuid(), PushChannel.Webhook, "", new PushMessage { Title = "t" }, DateTimeOffset.UtcNow);

    /// <summary>The integrator's side: read the raw body, recompute the HMAC, compare in constant time.</summary>
    private async Task ReceiveAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = context.Request.Headers;
        var id = headers[WebhookSignature.IdHeader].ToString();
        var verified = WebhookSignature.Verify(Secret, id, headers[WebhookSignature.TimestampHeader].ToString(), headers[WebhookSignature.SignatureHeader].ToString(), body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        received.Enqueue((verified, id, JsonNode.Parse(body)!.AsObject()));
        context.Response.StatusCode = Status;
    }
}
