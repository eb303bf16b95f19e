using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Accounts;

/// <summary>
/// The keyed hash under which verified identifiers are stored and matched. A client may send the
/// SHA-256 of a normalised identifier instead of the identifier, so the stored value is
/// HMAC-SHA256(server key, SHA-256(normalised)): computable from either form, and useless to someone
/// who has the database but not the key (no dictionary of phone numbers inverts it).
/// </summary>
public sealed class IdentifierHasher
{
    public const int DigestLength = 32;
    private readonly byte[] key;

    public IdentifierHasher(byte[] key)
    {
        if (key.Length < 32)
        {
            throw new ArgumentException("The identifier hash key must be at least 32 bytes.", nameof(key));
        }

        this.key = key.ToArray();
    }

    /// <summary>SHA-256 of the UTF-8 normalised value: what clients compute for privacy-preserving matching.</summary>
    public static byte[] ClientDigest(NormalizedIdentifier identifier) => SHA256.HashData(Encoding.UTF8.GetBytes(identifier.Value));

    public string LookupKey(NormalizedIdentifier identifier) => LookupKey(ClientDigest(identifier));

    /// <summary>The stored lookup key (43 base64url characters) for a client digest of <see cref="DigestLength"/> bytes.</summary>
    public string LookupKey(ReadOnlySpan<byte> clientDigest)
    {
        if (clientDigest.Length != DigestLength)
        {
            throw new ArgumentException($"A client digest is {DigestLength} bytes.", nameof(clientDigest));
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, clientDigest, mac);
        return Base64Url.EncodeToString(mac);
    }

    /// <summary>A sub-key for another purpose (RFC 5869 HKDF), so one configured secret serves several uses independently.</summary>
    public byte[] DeriveKey(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: Encoding.UTF8.GetBytes(purpose));
}
