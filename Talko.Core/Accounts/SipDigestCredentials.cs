using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Accounts;

/// <summary>
/// SIP digest material for a device. The registrar needs H(A1) = H(username ":" realm ":" password)
/// (RFC 2617 section 3.2.2.2 for MD5, RFC 7616 section 3.4.2 for SHA-256), never the password itself,
/// so only the two H(A1) values are stored and the secret is shown to the device once, when issued.
/// </summary>
public static class SipDigestCredentials
{
    /// <summary>A random secret: 24 characters from an unambiguous alphabet (about 138 bits).</summary>
    public static string GenerateSecret()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 24);
    }

    /// <summary>A SIP username for a device: "d" plus 20 random lower-case hex digits (user part safe per RFC 3261 section 25.1).</summary>
    public static string GenerateUsername() => "d" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    public static string Ha1Md5(string username, string realm, string secret) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{secret}")));

    public static string Ha1Sha256(string username, string realm, string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{secret}")));
}
