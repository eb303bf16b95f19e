using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Talko.Core.Notifications.Jwt;

namespace Talko.Core.Notifications.Fcm;

/// <summary>
/// OAuth 2.0 access tokens for a service account through the JWT bearer grant (RFC 7523 section 2.1):
/// an RS256 assertion with iss, scope, aud (the token endpoint), iat and exp is exchanged at the token
/// endpoint. The token is cached until shortly before its expires_in runs out; concurrent callers share
/// one exchange.
/// </summary>
public sealed class GoogleAccessTokenSource : IDisposable
{
    private readonly HttpClient http;
    private readonly FcmOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lazy<(GoogleServiceAccount Account, RSA Key)> account;
    private readonly SemaphoreSlim exchange = new(1, 1);
    private string? token;
    private DateTimeOffset refreshAt;

    public GoogleAccessTokenSource(HttpClient http, FcmOptions options, TimeProvider time, ILogger<GoogleAccessTokenSource> logger)
    {
        this.http = http;
        this.options = options;
        this.time = time;
        this.logger = logger;
        account = new Lazy<(GoogleServiceAccount, RSA)>(() =>
        {
            var resolved = options.ResolveAccount();
            var rsa = RSA.Create();
            rsa.ImportFromPem(resolved.PrivateKeyPem);
            return (resolved, rsa);
        });
    }

    public GoogleServiceAccount Account => account.Value.Account;

    /// <summary>How many exchanges succeeded, for tests and diagnostics.</summary>
    public int Exchanges { get; private set; }

    /// <summary>A valid access token, or the reason none could be had (the caller retries later).</summary>
    public async Task<(string? Token, string? Error, TimeSpan? RetryAfter)> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return (cached, null, null);
        }

        await exchange.WaitAsync(cancellationToken);
        try
        {
            return Fresh() is { } exchangedMeanwhile ? (exchangedMeanwhile, null, null) : await ExchangeAsync(cancellationToken);
        }
        finally
        {
            exchange.Release();
        }
    }

    /// <summary>FCM answered 401 to <paramref name="rejected"/>: forget it so the next call exchanges again.</summary>
    public void Reject(string rejected)
    {
        if (token == rejected)
        {
            token = null;
        }
    }

    public void Dispose()
    {
        exchange.Dispose();
        if (account.IsValueCreated)
        {
            account.Value.Key.Dispose();
        }
    }

    private string? Fresh() => token is not null && time.GetUtcNow() < refreshAt ? token : null;

    private async Task<(string?, string?, TimeSpan?)> ExchangeAsync(CancellationToken cancellationToken)
    {
        var (serviceAccount, key) = account.Value;
        var now = time.GetUtcNow();
        var header = new JsonObject { ["typ"] = "JWT" };
        if (serviceAccount.PrivateKeyId is { } keyId)
        {
            header["kid"] = keyId;
        }

        var lifetime = options.AssertionLifetime > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : options.AssertionLifetime;
        var claims = new JsonObject
        {
            ["iss"] = serviceAccount.ClientEmail,
            ["scope"] = FcmOptions.MessagingScope,
            ["aud"] = serviceAccount.TokenUrl.ToString(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
        };
        var assertion = CompactJwt.SignRs256(header, claims, key);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ["assertion"] = assertion,
        });

        try
        {
            using var response = await http.PostAsync(serviceAccount.TokenUrl, form, cancellationToken);
            using var json = await response.Content.ReadFromJsonDocumentAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK || json is null)
            {
                var error = json?.RootElement.TryGetProperty("error", out var code) == true ? code.ToString() : $"HTTP {(int)response.StatusCode}";
                NotificationLog.AccessTokenFailed(logger, error);
                return (null, $"token endpoint: {error}", RetryAfterHeader.Read(response, now));
            }

            var accessToken = json.RootElement.GetProperty("access_token").GetString() ?? throw new JsonException("access_token is null");
            var expiresIn = TimeSpan.FromSeconds(json.RootElement.TryGetProperty("expires_in", out var seconds) ? seconds.GetInt32() : 3600);
            var margin = options.AccessTokenRefreshMargin < expiresIn / 2 ? options.AccessTokenRefreshMargin : expiresIn / 2;
            token = accessToken;
            refreshAt = now + expiresIn - margin;
            Exchanges++;
            return (accessToken, null, null);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException || RetryAfterHeader.IsTransient(exception, cancellationToken))
        {
            NotificationLog.AccessTokenFailed(logger, exception.Message);
            return (null, $"token endpoint: {exception.Message}", null);
        }
    }
}
