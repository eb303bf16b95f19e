using System.Security.Cryptography;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// A certificate fingerprint as SDP carries it (RFC 8122 section 5: <c>a=fingerprint:sha-256 AB:CD:...</c>).
/// Only SHA-256 is taken: every WebRTC peer sends it, and weaker hashes would let a forged certificate through.
/// </summary>
public sealed class DtlsFingerprint : IEquatable<DtlsFingerprint>
{
    public const string Algorithm = "sha-256";

    private readonly byte[] hash;

    private DtlsFingerprint(byte[] hash) => this.hash = hash;

    public static DtlsFingerprint Of(ReadOnlySpan<byte> certificateDer) => new(SHA256.HashData(certificateDer));

    /// <summary>Reads the value of an <c>a=fingerprint</c> attribute; false for another hash or a malformed value.</summary>
    public static bool TryParse(string? attributeValue, out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        var parts = attributeValue?.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts is not { Length: 2 } || !parts[0].Equals(Algorithm, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var octets = parts[1].Trim().Split(':');
        if (octets.Length != SHA256.HashSizeInBytes || octets.Any(o => o.Length != 2))
        {
            return false;
        }

        try
        {
            fingerprint = new DtlsFingerprint(Convert.FromHexString(string.Concat(octets)));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public bool Matches(ReadOnlySpan<byte> certificateDer)
    {
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(certificateDer, actual);
        return CryptographicOperations.FixedTimeEquals(actual, hash);
    }

    /// <summary>Upper-case hex pairs joined by colons, as RFC 8122 writes them.</summary>
    public string Hex => string.Join(':', hash.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The <c>a=fingerprint</c> attribute value: <c>sha-256 AB:CD:...</c>.</summary>
    public override string ToString() => $"{Algorithm} {Hex}";

    public bool Equals(DtlsFingerprint? other) => other is not null && hash.AsSpan().SequenceEqual(other.hash);

    public override bool Equals(object? obj) => Equals(obj as DtlsFingerprint);

    public override int GetHashCode() => BitConverter.ToInt32(hash, 0);
}
