namespace Talko.Core.Notifications.Apns;

/// <summary>Token-based APNs settings (Talko:Notifications:Apns). Apple issues the key id, team id and .p8 key.</summary>
public sealed class ApnsOptions
{
    /// <summary>https://api.push.apple.com in production, https://api.sandbox.push.apple.com for development builds.</summary>
    public Uri BaseUrl { get; set; } = new("https://api.push.apple.com");

    /// <summary>The 10-character team id: the JWT "iss".</summary>
    public string TeamId { get; set; } = "";

    /// <summary>The 10-character key id: the JWT header "kid".</summary>
    public string KeyId { get; set; } = "";

    /// <summary>The app's bundle id, sent as apns-topic.</summary>
    public string Topic { get; set; } = "";

    /// <summary>The .p8 key's PEM text (PKCS#8, P-256). Either this or <see cref="PrivateKeyPath"/>.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>Path of the .p8 file.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>
    /// Age at which the provider token is replaced. Apple rejects tokens older than 60 minutes and answers
    /// TooManyProviderTokenUpdates to replacements more often than every 20, so the value is held within
    /// [20 min, 55 min].
    /// </summary>
    public TimeSpan TokenRefreshAfter { get; set; } = TimeSpan.FromMinutes(50);

    /// <summary>Largest payload APNs accepts for a regular notification (4 KB).</summary>
    public int MaxPayloadBytes { get; set; } = 4096;

    public bool IsConfigured =>
        TeamId.Length > 0 && KeyId.Length > 0 && Topic.Length > 0 &&
        (!string.IsNullOrWhiteSpace(PrivateKey) || !string.IsNullOrWhiteSpace(PrivateKeyPath));

    internal string ReadPrivateKeyPem() =>
        !string.IsNullOrWhiteSpace(PrivateKey) ? PrivateKey
        : File.ReadAllText(PrivateKeyPath ?? throw new InvalidOperationException("Talko:Notifications:Apns needs PrivateKey or PrivateKeyPath."));
}
