namespace Talko.Server.Features.Accounts.Auth;

/// <summary>Access token settings, bound from "Talko:Auth".</summary>
public sealed class AuthOptions
{
    public const string Section = "Talko:Auth";

    /// <summary>Base64 HMAC-SHA256 key (at least 32 bytes) that signs access tokens. Unset: generated once under the data directory.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "talko";

    public string Audience { get; set; } = "talko";

    /// <summary>Tolerated clock difference between instances when checking token lifetimes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
