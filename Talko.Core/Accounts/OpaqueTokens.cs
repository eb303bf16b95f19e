using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Accounts;

/// <summary>
/// Random bearer secrets (refresh tokens) that the server keeps only as SHA-256 hashes: 256 bits of
/// entropy need no key or salt, and a database dump yields nothing usable.
/// </summary>
public static class OpaqueTokens
{
    /// <summary>A new token: 32 random bytes, base64url (43 characters).</summary>
    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
