using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Accounts;

/// <summary>
/// Six-digit one-time codes. Only a keyed hash of a code is stored, bound to its challenge id so a
/// hash cannot be replayed against another challenge; comparison is constant-time.
/// </summary>
public sealed class VerificationCodes(byte[] key)
{
    public const int Length = 6;

    public static string Generate() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsWellFormed(string? code) => code is { Length: Length } && code.All(char.IsAsciiDigit);

    public string Hash(Guid challengeId, string code)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{challengeId:N}:{code}"), mac);
        return Base64Url.EncodeToString(mac);
    }

    public bool Matches(Guid challengeId, string code, string storedHash) =>
        IsWellFormed(code) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(challengeId, code)), Encoding.ASCII.GetBytes(storedHash));
}
