using System.Security.Cryptography;

namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// The AES-CM key derivation of RFC 3711 section 4.3 with a key derivation rate of zero (the only rate DTLS-SRTP
/// uses), which RFC 7714 section 11 reuses for AEAD_AES_128_GCM with its shorter salt.
/// </summary>
public static class SrtpKeyDerivation
{
    public const byte SrtpEncryptionLabel = 0x00;
    public const byte SrtpAuthenticationLabel = 0x01;
    public const byte SrtpSaltLabel = 0x02;
    public const byte SrtcpEncryptionLabel = 0x03;
    public const byte SrtcpAuthenticationLabel = 0x04;
    public const byte SrtcpSaltLabel = 0x05;

    private const int SaltSpace = 14;

    /// <summary>
    /// Writes <c>PRF(master key, label)</c> into <paramref name="output"/>: the AES-CM keystream whose IV is the
    /// master salt with the label XORed into its eighth octet (key_id right-aligned against the 112-bit salt,
    /// r = 0), shifted left 16 bits. A 96-bit salt sits left-aligned in the 112 bits, zero-padded.
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterKey.Length != SrtpProfileSizes.MasterKeyLength)
        {
            throw new ArgumentException($"the master key must be {SrtpProfileSizes.MasterKeyLength} bytes", nameof(masterKey));
        }

        if (masterSalt.Length is not (12 or SaltSpace))
        {
            throw new ArgumentException("the master salt must be 12 or 14 bytes", nameof(masterSalt));
        }

        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        using var counter = new AesCounterMode(masterKey);
        output.Clear();
        counter.Apply(iv, output);
    }
}
