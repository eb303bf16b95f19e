using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Registrar;

public enum SipAuthOutcome
{
    Authenticated,
    /// <summary>No usable credentials: challenge with 401.</summary>
    Challenge,
    /// <summary>Right password on an expired nonce: challenge again with stale=true (RFC 3261 section 22.4).</summary>
    Stale,
    /// <summary>Wrong password, unknown user, replayed nonce-count or broken parameters: 403.</summary>
    Failed,
    /// <summary>The source, the user or the pair failed too often recently (ADR 0163): 403 without checking anything.</summary>
    Blocked,
}

public sealed record SipAuthResult(SipAuthOutcome Outcome, SipCredential? Credential = null);

/// <summary>
/// HTTP digest for SIP (RFC 3261 section 22.4, RFC 8760): SHA-256 and MD5, qop=auth only. Nonces are
/// self-validating (timestamp + random, HMAC-signed with a per-process key), expire after
/// <see cref="SipDigestOptions.NonceLifetime"/>, and each nonce's nonce-count must strictly increase.
/// </summary>
public sealed class SipDigestAuthenticator
{
    private readonly SipDigestOptions options;
    private readonly ISipCredentialStore credentials;
    private readonly TimeProvider time;
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, NonceUse> nonceCounts = new(StringComparer.Ordinal);

    public SipDigestAuthenticator(SipDigestOptions options, ISipCredentialStore credentials, TimeProvider time)
    {
        this.options = options;
        this.credentials = credentials;
        this.time = time;
        Limiter = new SipAuthFailureLimiter(options, time);
    }

    public SipAuthFailureLimiter Limiter { get; }

    /// <summary>
    /// WWW-Authenticate values in preference order, one per algorithm (RFC 8760 section 2.4): MD5 first unless
    /// <see cref="SipDigestOptions.PreferSha256"/> (ADR 0162); MD5 alone for a <paramref name="userAgent"/> listed in
    /// <see cref="SipDigestOptions.Md5OnlyUserAgents"/>.
    /// </summary>
    public IEnumerable<string> CreateChallenges(bool stale, string? userAgent = null)
    {
        var nonce = NewNonce();
        var sha256 = options.OfferSha256 && !(options.OfferMd5 && IsMd5Only(userAgent));
        if (sha256 && options.PreferSha256)
        {
            yield return Challenge("SHA-256", nonce, stale);
        }

        if (options.OfferMd5)
        {
            yield return Challenge("MD5", nonce, stale);
        }

        if (sha256 && !options.PreferSha256)
        {
            yield return Challenge("SHA-256", nonce, stale);
        }
    }

    private bool IsMd5Only(string? userAgent) =>
        userAgent is not null && options.Md5OnlyUserAgents.Any(known => known.Length > 0 && userAgent.Contains(known, StringComparison.OrdinalIgnoreCase));

    private string Challenge(string algorithm, string nonce, bool stale) =>
        $"Digest realm=\"{options.Realm}\", nonce=\"{nonce}\", algorithm={algorithm}, qop=\"auth\"{(stale ? ", stale=true" : "")}";

    public async ValueTask<SipAuthResult> AuthenticateAsync(SipRequest request, CancellationToken cancellationToken = default)
    {
        var source = request.Source?.Remote.Address;
        DigestResponse? response = null;
        foreach (var header in request.Headers.GetAll(SipHeaderNames.Authorization))
        {
            if (DigestResponse.TryParse(header, out var candidate) && candidate.Realm == options.Realm && Hasher(candidate.Algorithm) is not null)
            {
                response = candidate;
                break;
            }
        }
        if (response is null)
        {
            return new(SipAuthOutcome.Challenge); // includes unknown schemes (RFC 4475 3.3.5)
        }

        if (source is not null && Limiter.IsBlocked(source, response.Username))
        {
            SipMetrics.AuthenticationFailed(blocked: true);
            return new(SipAuthOutcome.Blocked);
        }

        var result = await VerifyAsync(request, response, cancellationToken);
        if (result.Outcome == SipAuthOutcome.Failed)
        {
            SipMetrics.AuthenticationFailed(blocked: false);
        }

        if (source is not null && result.Outcome == SipAuthOutcome.Failed)
        {
            Limiter.RecordFailure(source, response.Username);
        }

        if (source is not null && result.Outcome == SipAuthOutcome.Authenticated)
        {
            Limiter.RecordSuccess(source, response.Username);
        }

        return result;
    }

    private async ValueTask<SipAuthResult> VerifyAsync(SipRequest request, DigestResponse r, CancellationToken cancellationToken)
    {
        if (r.Qop != "auth" || r.Cnonce is null || r.NonceCount is null || r.Uri is null || r.Response is null)
        {
            return new(SipAuthOutcome.Failed);
        }

        if (!long.TryParse(r.NonceCount, System.Globalization.NumberStyles.HexNumber, null, out var nc) || nc <= 0)
        {
            return new(SipAuthOutcome.Failed);
        }

        var nonceAge = NonceAge(r.Nonce);
        if (nonceAge is null)
        {
            return new(SipAuthOutcome.Failed);
        }

        var credential = await credentials.FindAsync(r.Username, cancellationToken);
        // H(A1) binds the realm: credentials issued for another realm cannot answer this challenge.
        if (credential is null || credential.Realm != options.Realm || credential.Ha1For(r.Algorithm) is not { } ha1)
        {
            return new(SipAuthOutcome.Failed);
        }

        var hash = Hasher(r.Algorithm)!;
        var ha2 = hash($"{request.Method}:{r.Uri}");
        var expected = hash($"{ha1}:{r.Nonce}:{r.NonceCount}:{r.Cnonce}:{r.Qop}:{ha2}");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(r.Response.ToLowerInvariant())))
        {
            return new(SipAuthOutcome.Failed);
        }

        if (nonceAge > options.NonceLifetime)
        {
            return new(SipAuthOutcome.Stale);
        }

        if (!AdvanceNonceCount(r.Nonce, nc))
        {
            return new(SipAuthOutcome.Failed); // replay
        }

        return new(SipAuthOutcome.Authenticated, credential);
    }

    private bool AdvanceNonceCount(string nonce, long nc)
    {
        if (nonceCounts.Count >= options.MaxTrackedNonces)
        {
            PruneNonces();
        }

        var use = nonceCounts.GetOrAdd(nonce, _ => new NonceUse(time.GetUtcNow()));
        lock (use)
        {
            if (nc <= use.LastCount)
            {
                return false;
            }

            use.LastCount = nc;
            return true;
        }
    }

    private void PruneNonces()
    {
        var cutoff = time.GetUtcNow() - options.NonceLifetime;
        foreach (var (nonce, use) in nonceCounts)
        {
            if (use.FirstSeen < cutoff)
            {
                nonceCounts.TryRemove(nonce, out _);
            }
        }
        // Still full of live nonces: forget a tenth at once so pruning is not paid on every request.
        var excess = nonceCounts.Count - options.MaxTrackedNonces * 9 / 10;
        foreach (var nonce in nonceCounts.Keys.Take(Math.Max(0, excess)))
        {
            nonceCounts.TryRemove(nonce, out _);
        }
    }

    private string NewNonce()
    {
        Span<byte> raw = stackalloc byte[32];
        BinaryPrimitives.WriteInt64BigEndian(raw, time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(raw[8..16]);
        HMACSHA256.HashData(key, raw[..16]).AsSpan(0, 16).CopyTo(raw[16..]);
        return Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The age of a nonce we issued, or null when it is not one of ours.</summary>
    private TimeSpan? NonceAge(string nonce)
    {
        if (nonce.Length != 43)
        {
            return null;
        }

        Span<byte> raw = stackalloc byte[33];
        var text = nonce.Replace('-', '+').Replace('_', '/') + "=";
        if (!Convert.TryFromBase64String(text, raw, out var written) || written != 32)
        {
            return null;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, raw[..16], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..16], raw[16..32]))
        {
            return null;
        }

        var issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        var age = time.GetUtcNow() - issued;
        return age < TimeSpan.Zero ? null : age;
    }

    private Func<string, string>? Hasher(string? algorithm) => (algorithm ?? "MD5").ToUpperInvariant() switch
    {
        "MD5" when options.OfferMd5 => s => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s))),
        "SHA-256" when options.OfferSha256 => s => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s))),
        _ => null,
    };

    private sealed class NonceUse(DateTimeOffset firstSeen)
    {
        public DateTimeOffset FirstSeen { get; } = firstSeen;
        public long LastCount;
    }
}
