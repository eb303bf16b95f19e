namespace Talko.Server.Features.Accounts;

/// <summary>Every limit of the accounts feature, bound from "Talko:Accounts".</summary>
public sealed class AccountsOptions
{
    public const string Section = "Talko:Accounts";

    /// <summary>Base64 key (at least 32 bytes) for identifier lookup hashes and code hashes. Unset: generated once under the data directory.</summary>
    public string? IdentifierHashKey { get; set; }

    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Wrong guesses allowed per code; then the code is dead and a new one must be requested.</summary>
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>
    /// At most one code is sent to an identifier per cool-down; a request within it is answered as usual but sends
    /// nothing (the code sent before still works). Protects the owner's inbox without ever refusing the owner.
    /// </summary>
    public TimeSpan CodeResendCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Codes valid at once for one identifier; a new code retires the oldest beyond this, so a stranger's request does not void the owner's code.</summary>
    public int MaxOutstandingCodes { get; set; } = 3;

    /// <summary>Codes one requester (source address; signed-in user when adding an identifier) may ask for one identifier per <see cref="CodeRequestWindow"/>; beyond it, 429.</summary>
    public int CodeRequestsPerRequesterAndIdentifier { get; set; } = 5;

    /// <summary>Codes one requester may ask for, any identifiers, per <see cref="CodeRequestWindow"/>; beyond it, 429.</summary>
    public int CodeRequestsPerRequester { get; set; } = 20;

    public TimeSpan CodeRequestWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Requests to auth/start, auth/verify and auth/refresh per client IP per <see cref="AuthRequestWindow"/> (per instance).</summary>
    public int AuthRequestsPerIp { get; set; } = 30;

    public TimeSpan AuthRequestWindow { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(60);

    /// <summary>How long this instance trusts that a device still exists before asking the database again.</summary>
    public TimeSpan DeviceCheckCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the SIP registrar reuses a device's credentials before reading them again (0 reads them on every
    /// REGISTER). Rotations and revocations drop them at once on every instance; this bounds a lost announcement.
    /// </summary>
    public TimeSpan SipCredentialCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many devices' SIP credentials are cached per instance (found ones only).</summary>
    public int SipCredentialCacheMaxEntries { get; set; } = 100_000;

    /// <summary>
    /// How long a request waits for the revocation marker in the ephemeral store; past it (Redis away) the device is
    /// checked in the database instead, so signed-in requests keep working while Redis is down.
    /// </summary>
    public TimeSpan RevocationMarkerTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    public int MaxDevicesPerUser { get; set; } = 20;

    public int MaxIdentifiersPerUser { get; set; } = 4;

    public int ContactMatchMaxEntries { get; set; } = 5000;

    /// <summary>Entries one user may match per <see cref="ContactMatchQuotaWindow"/>; beyond it, 429.</summary>
    public int ContactMatchQuota { get; set; } = 50_000;

    public TimeSpan ContactMatchQuotaWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Longest client reference accepted per contact entry.</summary>
    public int ContactRefMaxLength { get; set; } = 128;

    /// <summary>The SIP digest realm device credentials are issued for; changing it requires rotating them.</summary>
    public string SipRealm { get; set; } = "talko";

    public SmtpOptions Smtp { get; set; } = new();
}

/// <summary>Email delivery of one-time codes. Without a host, codes are written to the log.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>Encrypt the session: STARTTLS, or implicit TLS when <see cref="Port"/> is 465. Off only for a local relay.</summary>
    public bool EnableTls { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "talko@localhost";

    public string Subject { get; set; } = "Your Talko code";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
