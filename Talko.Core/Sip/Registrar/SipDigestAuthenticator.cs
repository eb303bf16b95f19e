using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
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

    /// <summary>
    /// One HMAC context per thread, reset after each use: creating one for every nonce signed or checked cost several
    /// times the hashing itself (ADR 0170).
    /// </summary>
    private readonly ThreadLocal<IncrementalHash> nonceMacs;

    private readonly NonceCountTable nonceCounts;
    private long lastNonceSequence;

    public SipDigestAuthenticator(SipDigestOptions options, ISipCredentialStore credentials, TimeProvider time)
    {
        this.options = options;
        this.credentials = credentials;
        this.time = time;
        nonceMacs = new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        nonceCounts = new NonceCountTable(options.MaxTrackedNonces, options.NonceLifetime);
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
            if (DigestResponse.TryParse(header, out var candidate) && candidate.Realm == options.Realm && AlgorithmOf(candidate.Algorithm) is not null)
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

        var stamp = NonceStamp(r.Nonce);
        if (stamp is null)
        {
            return new(SipAuthOutcome.Failed);
        }

        var credential = await credentials.FindAsync(r.Username, cancellationToken);
        // H(A1) binds the realm: credentials issued for another realm cannot answer this challenge.
        if (credential is null || credential.Realm != options.Realm || credential.Ha1For(r.Algorithm) is not { } ha1)
        {
            return new(SipAuthOutcome.Failed);
        }

        var algorithm = AlgorithmOf(r.Algorithm)!.Value;
        var ha2 = DigestHash.Hex(algorithm, $"{request.Method}:{r.Uri}");
        Span<byte> expected = stackalloc byte[DigestHash.MaxHashBytes];
        var length = DigestHash.Hash(algorithm, $"{ha1}:{r.Nonce}:{r.NonceCount}:{r.Cnonce}:{r.Qop}:{ha2}", expected);
        // The response is hex in either case (RFC 2617 allows both); compared as bytes, in fixed time.
        Span<byte> given = stackalloc byte[DigestHash.MaxHashBytes];
        if (r.Response.Length != 2 * length || Convert.FromHexString(r.Response, given, out _, out var written) != OperationStatus.Done
            || !CryptographicOperations.FixedTimeEquals(expected[..length], given[..written]))
        {
            return new(SipAuthOutcome.Failed);
        }

        var now = time.GetUtcNow();
        if (now - stamp.Value.Issued > options.NonceLifetime)
        {
            return new(SipAuthOutcome.Stale);
        }

        return nonceCounts.Advance(r.Nonce, stamp.Value, nc, now) switch
        {
            NonceCountOutcome.Advanced => new(SipAuthOutcome.Authenticated, credential),
            NonceCountOutcome.Forgotten => new(SipAuthOutcome.Stale),
            _ => new(SipAuthOutcome.Failed), // replay
        };
    }

    // A nonce is issue time (8 bytes) + issue sequence (8) + random (8) + the first half of an HMAC-SHA256 over those
    // (16), base64url without padding: 54 characters.
    private const int NonceBytes = 40;
    private const int NonceLength = 54;

    private string NewNonce()
    {
        Span<byte> raw = stackalloc byte[NonceBytes];
        BinaryPrimitives.WriteInt64BigEndian(raw, time.GetUtcNow().ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(raw[8..], Interlocked.Increment(ref lastNonceSequence));
        BatchedRandom.Fill(raw[16..24]);
        Span<byte> mac = stackalloc byte[32];
        Sign(raw[..24], mac);
        mac[..16].CopyTo(raw[24..]);
        return Base64Url.EncodeToString(raw);
    }

    /// <summary>When and in what order a nonce we issued was issued, or null when it is not one of ours (or claims to come from the future).</summary>
    private NonceStamp? NonceStamp(string nonce)
    {
        Span<byte> raw = stackalloc byte[NonceBytes];
        if (nonce.Length != NonceLength || !Base64Url.IsValid(nonce) || Base64Url.DecodeFromChars(nonce, raw) != NonceBytes)
        {
            return null;
        }

        Span<byte> mac = stackalloc byte[32];
        Sign(raw[..24], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..16], raw[24..]))
        {
            return null;
        }

        var issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        return issued > time.GetUtcNow() ? null : new NonceStamp(issued, BinaryPrimitives.ReadInt64BigEndian(raw[8..]));
    }

    private void Sign(ReadOnlySpan<byte> nonceBody, Span<byte> mac)
    {
        var hmac = nonceMacs.Value!;
        hmac.AppendData(nonceBody);
        hmac.GetHashAndReset(mac);
    }

    /// <summary>The digest algorithm a response names, when it is one this registrar offers; absent means MD5.</summary>
    private DigestAlgorithm? AlgorithmOf(string? algorithm) => algorithm switch
    {
        null => options.OfferMd5 ? DigestAlgorithm.Md5 : null,
        _ when options.OfferMd5 && algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase) => DigestAlgorithm.Md5,
        _ when options.OfferSha256 && algorithm.Equals("SHA-256", StringComparison.OrdinalIgnoreCase) => DigestAlgorithm.Sha256,
        _ => null,
    };
}
