namespace Talko.Core.Sip.Registrar;

/// <summary>Digest authentication settings (RFC 3261 section 22, RFC 8760) and the brute-force brake.</summary>
public sealed class SipDigestOptions
{
    public string Realm { get; set; } = "talko";

    /// <summary>How long a nonce is accepted; after that the client is re-challenged with stale=true.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most nonces whose nonce-count is tracked at once (replay protection); the oldest are forgotten first.</summary>
    public int MaxTrackedNonces { get; set; } = 100_000;

    /// <summary>Offer SHA-256 (first, preferred per RFC 8760 section 2.4) and MD5 for older clients.</summary>
    public bool OfferSha256 { get; set; } = true;

    public bool OfferMd5 { get; set; } = true;

    /// <summary>
    /// User-Agent substrings (case-insensitive) of clients challenged with MD5 only. RFC 8760 section 2.4 has a UAC use
    /// the topmost challenge it supports, but libre before 2.0 (baresip 1.x) fails authentication outright on any
    /// algorithm but MD5 instead of skipping it (ADR 0160). Configured entries are added to these defaults.
    /// </summary>
    public List<string> Md5OnlyUserAgents { get; set; } = ["baresip v0.", "baresip v1."];

    /// <summary>Failed authentications from one source address within <see cref="FailureWindow"/> before it is blocked.</summary>
    public int MaxFailuresPerSource { get; set; } = 10;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a source that failed too often gets 403 without any credential check.</summary>
    public TimeSpan BlockDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most source addresses tracked by the limiter; beyond it the stalest are evicted.</summary>
    public int MaxTrackedSources { get; set; } = 100_000;
}
