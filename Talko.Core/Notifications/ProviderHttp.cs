using System.Net;

namespace Talko.Core.Notifications;

/// <summary>HTTP clients for the push providers.</summary>
public static class ProviderHttp
{
    /// <summary>Largest provider answer read into memory.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    /// <summary>
    /// An HTTP/2-only client for APNs and FCM. Apple requires HTTP/2 and asks providers to keep
    /// connections open rather than reconnect per request; several connections are opened when one
    /// reaches its concurrent-stream limit. Over https the version is negotiated by ALPN; over http
    /// (local test servers) it is HTTP/2 with prior knowledge (h2c).
    /// </summary>
    public static HttpClient CreateHttp2(TimeSpan timeout) => new(CreateHttp2Handler())
    {
        Timeout = timeout,
        MaxResponseContentBufferSize = MaxResponseBytes,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>
    /// The handler under <see cref="CreateHttp2"/>, for libraries that build their own clients (Google.Apis.Auth):
    /// it turns every request into an HTTP/2-only one whatever version the library asked for.
    /// </summary>
    public static HttpMessageHandler CreateHttp2Handler() => new Http2Only(new SocketsHttpHandler
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionLifetime = TimeSpan.FromHours(1),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(30),
        KeepAlivePingDelay = TimeSpan.FromMinutes(1),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    /// <summary>A client for webhooks: whatever HTTP version the receiver speaks.</summary>
    public static HttpClient CreateWebhook(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AllowAutoRedirect = false,
    })
    {
        Timeout = timeout,
        MaxResponseContentBufferSize = MaxResponseBytes,
    };

    private sealed class Http2Only(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
