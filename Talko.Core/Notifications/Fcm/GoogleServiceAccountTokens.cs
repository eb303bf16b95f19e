using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Microsoft.Extensions.Logging;

namespace Talko.Core.Notifications.Fcm;

/// <summary>
/// OAuth 2.0 access tokens for the FCM service account, from Google.Apis.Auth's <see cref="ServiceAccountCredential"/>
/// (the RFC 7523 JWT bearer grant, cached and refreshed before expiry by the library; ADR 0910). Talko adds what
/// the library leaves to its caller: the token endpoint from the options (so tests and private deployments can
/// point it elsewhere), HTTP/2 like the sends, Talko's clock, no retries of its own (the outbox retries), and
/// dropping a token FCM refused with 401.
/// </summary>
public sealed class GoogleServiceAccountTokens
{
    private readonly ServiceAccountCredential credential;
    private readonly ILogger logger;
    private string? rejected;

    public GoogleServiceAccountTokens(HttpMessageHandler http, TimeSpan timeout, FcmOptions options, TimeProvider time, ILogger<GoogleServiceAccountTokens> logger)
    {
        this.logger = logger;
        Account = options.ResolveAccount();
        var initializer = new ServiceAccountCredential.Initializer(Account.ClientEmail, Account.TokenUrl.ToString())
        {
            Scopes = [FcmOptions.MessagingScope],
            KeyId = Account.PrivateKeyId,
            Clock = new TimeProviderClock(time),
            HttpClientFactory = new HandlerHttpClientFactory(http, timeout),
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        };
        credential = new ServiceAccountCredential(initializer.FromPrivateKey(Account.PrivateKeyPem));
    }

    public GoogleServiceAccount Account { get; }


    /// <summary>A valid access token, or the reason none could be had (the caller retries later).</summary>
    public async Task<(string? Token, string? Error)> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            var token = await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
            if (token == Volatile.Read(ref rejected))
            {
                await credential.RequestAccessTokenAsync(cancellationToken);
                token = credential.Token.AccessToken;
            }

            return (token, null);
        }
        catch (TokenResponseException exception)
        {
            var error = exception.Error is { Error: { } code } answer
                ? (answer.ErrorDescription is { Length: > 0 } description ? $"{code} ({description})" : code)
                : $"HTTP {(int?)exception.StatusCode}";
            NotificationLog.AccessTokenFailed(logger, error);
            return (null, $"token endpoint: {error}");
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            NotificationLog.AccessTokenFailed(logger, exception.Message);
            return (null, $"token endpoint: {exception.Message}");
        }
    }

    /// <summary>FCM answered 401 to <paramref name="token"/>: the next call fetches a new one instead of reusing it.</summary>
    public void Reject(string token) => Volatile.Write(ref rejected, token);

    private sealed class TimeProviderClock(TimeProvider time) : Google.Apis.Util.IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;

        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }

    /// <summary>Gives the library clients over Talko's provider handler, with the provider timeout, instead of its own defaults.</summary>
    private sealed class HandlerHttpClientFactory(HttpMessageHandler handler, TimeSpan timeout) : Google.Apis.Http.IHttpClientFactory
    {
        private readonly OverHandler factory = new(handler);

        public ConfigurableHttpClient CreateHttpClient(CreateHttpClientArgs args)
        {
            var client = factory.CreateHttpClient(args);
            client.Timeout = timeout;
            return client;
        }

        private sealed class OverHandler(HttpMessageHandler handler) : HttpClientFactory
        {
            protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => handler;
        }
    }
}
