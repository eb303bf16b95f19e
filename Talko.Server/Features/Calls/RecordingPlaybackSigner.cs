using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Talko.Server.Features.Accounts.Auth;

namespace Talko.Server.Features.Calls;

/// <summary>What a signed playback URL's query says when checked.</summary>
internal enum PlaybackCheck
{
    Valid,

    /// <summary>Missing or malformed fields, a signature that does not match, or an expiry further ahead than any URL is issued for.</summary>
    Invalid,

    /// <summary>Signed by us but past its expiry: the player asks for a new one.</summary>
    Expired,
}

/// <summary>
/// Short-lived, call-scoped playback URLs for a recording (ADR 0813): an <c>&lt;audio&gt;</c> element cannot send the
/// bearer token, and the access token must never go into a URL (logs, history, Referer). The URL names the call, the user
/// it was issued to and an expiry (Unix seconds, at most <see cref="MaxLifetime"/> ahead); its signature is HMAC-SHA256
/// over those under a key derived only for this purpose, so it grants nothing else. Checked in constant time.
/// </summary>
public sealed class RecordingPlaybackSigner(ServerKeys keys, IOptions<CallsOptions> options, TimeProvider time)
{
    /// <summary>The longest a playback URL may live.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    private const int SignatureBytes = 32;

    private readonly byte[] key = keys.Identifiers.DeriveKey("talko recording playback url v1");

    /// <summary>A URL (path and query) that plays the call's recording as <paramref name="userId"/> until the returned expiry.</summary>
    public (string Url, DateTimeOffset ExpiresAt) Issue(Guid callId, Guid userId)
    {
        var expires = time.GetUtcNow().ToUnixTimeSeconds() + (long)options.Value.RecordingPlaybackLifetime.TotalSeconds;
        var signature = Base64Url.EncodeToString(Sign(callId, userId, expires));
        return ($"/v1/calls/{callId}/recording/play?user={userId:N}&expires={expires.ToString(CultureInfo.InvariantCulture)}&signature={signature}",
            DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>Checks a playback URL's fields for <paramref name="callId"/>; on <see cref="PlaybackCheck.Valid"/>, <paramref name="userId"/> is who it was issued to.</summary>
    internal PlaybackCheck Check(Guid callId, string? user, string? expires, string? signature, out Guid userId)
    {
        userId = Guid.Empty;
        if (user is not { Length: 32 } || !Guid.TryParseExact(user, "N", out var parsedUser)
            || expires is not { Length: > 0 and <= 12 } || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt)
            || signature is not { Length: 43 })
        {
            return PlaybackCheck.Invalid;
        }

        Span<byte> given = stackalloc byte[SignatureBytes];
        if (!Base64Url.TryDecodeFromChars(signature, given, out var length) || length != SignatureBytes
            || !CryptographicOperations.FixedTimeEquals(given, Sign(callId, parsedUser, expiresAt)))
        {
            return PlaybackCheck.Invalid;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (expiresAt > now + (long)MaxLifetime.TotalSeconds + 1)
        {
            return PlaybackCheck.Invalid; // we never issue these: a leaked key, or a clock far behind the issuer's
        }

        if (expiresAt <= now)
        {
            return PlaybackCheck.Expired;
        }

        userId = parsedUser;
        return PlaybackCheck.Valid;
    }

    private byte[] Sign(Guid callId, Guid userId, long expires) =>
        HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"recording-playback\n{callId:N}\n{userId:N}\n{expires}")));
}
