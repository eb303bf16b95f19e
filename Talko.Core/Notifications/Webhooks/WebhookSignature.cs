using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Notifications.Webhooks;

/// <summary>
/// The signature on Talko's webhooks. The receiver recomputes
/// <c>hex(HMAC-SHA256(secret, id + "." + timestamp + "." + body))</c> over the raw body bytes and compares
/// it in constant time with the <see cref="SignatureHeader"/> value after "v1=". Signing the id and the
/// timestamp with the body stops an attacker replaying an old body under a fresh timestamp; receivers
/// refuse timestamps outside their tolerance and may drop ids they have seen.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "Talko-Webhook-Id";
    public const string TimestampHeader = "Talko-Webhook-Timestamp";
    public const string SignatureHeader = "Talko-Webhook-Signature";
    public const string Version = "v1";

    public static string Compute(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return $"{Version}={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }

    /// <summary>What a receiver does: true when the signature matches and the timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string id, string timestampHeader, string signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) ||
            (now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > tolerance)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, id, timestamp, body));
        // A header may list several signatures (during secret rotation): any match will do.
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate)))
            {
                return true;
            }
        }

        return false;
    }
}
