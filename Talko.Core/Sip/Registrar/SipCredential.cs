using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// A device's SIP digest credentials: the username, who it belongs to, and H(A1) for each algorithm,
/// computed for one realm. Talko never stores the secret itself (docs/decisions/0201-sip-credentials-as-ha1.md).
/// </summary>
/// <param name="Username">The digest username.</param>
/// <param name="UserId">The device's owner.</param>
/// <param name="DeviceId">The device.</param>
/// <param name="Realm">The realm both H(A1) values were computed for; a challenge for another realm cannot be answered.</param>
/// <param name="Ha1Md5">Lower-case hex MD5(username:realm:secret).</param>
/// <param name="Ha1Sha256">Lower-case hex SHA-256(username:realm:secret).</param>
public sealed record SipCredential(string Username, string UserId, string DeviceId, string Realm, string Ha1Md5, string Ha1Sha256)
{
    /// <summary>Derives the stored form from a plain secret (for tests and for issuing credentials).</summary>
    public static SipCredential FromSecret(string username, string userId, string deviceId, string realm, string secret)
    {
        var a1 = Encoding.UTF8.GetBytes($"{username}:{realm}:{secret}");
        return new(username, userId, deviceId, realm, Convert.ToHexStringLower(MD5.HashData(a1)), Convert.ToHexStringLower(SHA256.HashData(a1)));
    }

    /// <summary>H(A1) for a digest algorithm name (RFC 8760), or null if the algorithm is not one we hold.</summary>
    public string? Ha1For(string? algorithm) => algorithm?.ToUpperInvariant() switch
    {
        null or "" or "MD5" => Ha1Md5,
        "SHA-256" => Ha1Sha256,
        _ => null,
    };
}

/// <summary>Looks up SIP credentials by digest username. The accounts feature implements it on the database.</summary>
public interface ISipCredentialStore
{
    ValueTask<SipCredential?> FindAsync(string username, CancellationToken cancellationToken = default);
}

/// <summary>Credentials held in memory, for tests and the embedded default.</summary>
public sealed class InMemorySipCredentialStore : ISipCredentialStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SipCredential> credentials = new(StringComparer.Ordinal);

    public void Add(SipCredential credential) => credentials[credential.Username] = credential;

    public ValueTask<SipCredential?> FindAsync(string username, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(credentials.TryGetValue(username, out var c) ? c : null);
}
