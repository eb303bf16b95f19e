using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Talko.Core.Notifications.Jwt;

namespace Talko.Core.Notifications.Apns;

/// <summary>
/// The provider authentication token of APNs token-based connections: an ES256 JWT with "kid" in the
/// header and "iss" (team id) and "iat" in the claims. One token is shared by every request until it
/// reaches <see cref="ApnsOptions.TokenRefreshAfter"/>; Apple asks for a new token at least hourly and
/// at most every 20 minutes.
/// </summary>
public sealed class ApnsProviderToken : IDisposable
{
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromMinutes(20);
    public static readonly TimeSpan MaximumRefreshAfter = TimeSpan.FromMinutes(55);

    private readonly ApnsOptions options;
    private readonly TimeProvider time;
    private readonly Lazy<ECDsa> key;
    private readonly Lock gate = new();
    private string? token;
    private DateTimeOffset issuedAt;

    public ApnsProviderToken(ApnsOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        key = new Lazy<ECDsa>(() =>
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(options.ReadPrivateKeyPem());
            return ecdsa;
        });
    }

    public TimeSpan RefreshAfter => options.TokenRefreshAfter < MinimumLifetime ? MinimumLifetime
        : options.TokenRefreshAfter > MaximumRefreshAfter ? MaximumRefreshAfter
        : options.TokenRefreshAfter;

    /// <summary>How many tokens this instance has signed, for tests and diagnostics.</summary>
    public int Issued { get; private set; }

    public string Current()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (token is null || now - issuedAt >= RefreshAfter)
            {
                var header = new JsonObject { ["kid"] = options.KeyId };
                var claims = new JsonObject { ["iss"] = options.TeamId, ["iat"] = now.ToUnixTimeSeconds() };
                token = CompactJwt.SignEs256(header, claims, key.Value);
                issuedAt = now;
                Issued++;
            }

            return token;
        }
    }

    /// <summary>
    /// APNs said ExpiredProviderToken or InvalidProviderToken for <paramref name="rejected"/>. Drop it so the
    /// next request signs a new one, unless it is younger than 20 minutes: replacing it that soon earns
    /// TooManyProviderTokenUpdates, and a young token that is rejected points at the key or the clock.
    /// </summary>
    public void Reject(string rejected)
    {
        lock (gate)
        {
            if (token == rejected && time.GetUtcNow() - issuedAt >= MinimumLifetime)
            {
                token = null;
            }
        }
    }

    public void Dispose()
    {
        if (key.IsValueCreated)
        {
            key.Value.Dispose();
        }
    }
}
