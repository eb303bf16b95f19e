namespace Talko.Core.Sip.Registrar;

/// <summary>Digest authentication settings (RFC 3261 section 22, RFC 8760) and the brute-force brake.</summary>
public sealed class SipDigestOptions
{
    /// <summary>The digest realm. The server always uses Talko:Accounts:SipRealm instead, so stored H(A1) values match.</summary>
    public string Realm { get; set; } = "talko";

    /// <summary>How long a nonce is accepted; after that the client is re-challenged with stale=true.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Most nonces whose nonce-count is tracked at once (replay protection). When full, the earliest-used tenth is
    /// forgotten and every nonce issued no later than those is re-challenged with stale=true, so a forgotten nonce is
    /// never accepted again.
    /// </summary>
    public int MaxTrackedNonces { get; set; } = 100_000;

    /// <summary>Offer a SHA-256 challenge (RFC 8760).</summary>
    public bool OfferSha256 { get; set; } = true;

    /// <summary>Offer an MD5 challenge (RFC 3261 section 22.4), the only algorithm many deployed phones and sipp 3.6 digest.</summary>
    public bool OfferMd5 { get; set; } = true;

    /// <summary>
    /// Put the SHA-256 challenge above the MD5 one. Off by default (ADR 0162): clients that read only the first
    /// WWW-Authenticate (sipp 3.6, many phones) then fail; with ~138-bit random device secrets (ADR 0201) MD5 digest
    /// gives an eavesdropper nothing to crack, so interoperability wins. Turn on where every client reads all challenges.
    /// </summary>
    public bool PreferSha256 { get; set; }

    /// <summary>
    /// User-Agent substrings (case-insensitive) of clients challenged with MD5 only. RFC 8760 section 2.4 has a UAC use
    /// the topmost challenge it supports, but libre before 2.0 (baresip 1.x) fails authentication outright on any
    /// algorithm but MD5 instead of skipping it (ADR 0160). Configured entries are added to these defaults.
    /// </summary>
    public List<string> Md5OnlyUserAgents { get; set; } = ["baresip v0.", "baresip v1."];

    /// <summary>
    /// Failed authentications for one username from one address within <see cref="FailureWindow"/> before that pair is
    /// refused (403 without a credential check) for <see cref="BlockDuration"/> (ADR 0163).
    /// </summary>
    public int MaxFailuresPerSourceAndUser { get; set; } = 5;

    /// <summary>
    /// Failed authentications for one username from all addresses within <see cref="FailureWindow"/> before the user
    /// counts as under attack: for <see cref="BlockDuration"/> every address that failed for it is refused, while an
    /// address with no failure for it is still checked, so the real device keeps working.
    /// </summary>
    public int MaxFailuresPerUser { get; set; } = 20;

    /// <summary>
    /// Failed authentications from one address for any usernames within <see cref="FailureWindow"/> before the address
    /// is refused (username spraying). Higher than the per-user ceilings because a NAT hides many honest users.
    /// </summary>
    public int MaxFailuresPerSource { get; set; } = 100;

    /// <summary>
    /// When an address is over <see cref="MaxFailuresPerSource"/>, still check usernames that authenticated from it within
    /// <see cref="KnownUserMemory"/>, so registered phones behind an attacked NAT keep refreshing. Off: the address is
    /// refused for everyone, including correct credentials (a deliberate choice for deployments with no shared NATs).
    /// </summary>
    public bool SourceBlockSparesKnownUsers { get; set; } = true;

    /// <summary>How long a successful authentication makes a username "known" at its address.</summary>
    public TimeSpan KnownUserMemory { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The window in which failures are counted; a count starts again when its window has passed.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a pair, user or address that reached its ceiling is refused with 403.</summary>
    public TimeSpan BlockDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most entries each failure table (pairs, users, addresses) holds; beyond it the stalest are evicted.</summary>
    public int MaxTrackedEntries { get; set; } = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> when a bound or a time is out of range.</summary>
    public void Validate()
    {
        if (MaxTrackedNonces < 1 || MaxTrackedEntries < 1)
        {
            throw new ArgumentException($"Sip:Digest:MaxTrackedNonces ({MaxTrackedNonces}) and MaxTrackedEntries ({MaxTrackedEntries}) must be at least 1.");
        }

        // A ceiling of 0 would refuse every username and address at its first failure, or (negative) at none.
        if (MaxFailuresPerSourceAndUser < 1 || MaxFailuresPerUser < 1 || MaxFailuresPerSource < 1)
        {
            throw new ArgumentException($"Sip:Digest:MaxFailuresPerSourceAndUser ({MaxFailuresPerSourceAndUser}), MaxFailuresPerUser ({MaxFailuresPerUser}) and MaxFailuresPerSource ({MaxFailuresPerSource}) must be at least 1.");
        }

        if (NonceLifetime <= TimeSpan.Zero || FailureWindow <= TimeSpan.Zero || BlockDuration < TimeSpan.Zero || KnownUserMemory < TimeSpan.Zero)
        {
            throw new ArgumentException("Sip:Digest:NonceLifetime and FailureWindow must be positive, BlockDuration and KnownUserMemory not negative.");
        }
    }
}
