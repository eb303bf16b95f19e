using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Tests.Core.Media.WebRtc.Srtp;

/// <summary>The published test vectors: RFC 3711 appendix B and RFC 7714 sections 16 and 17.</summary>
public class SrtpVectorTests
{
    private static readonly byte[] B3MasterKey = Hex.Bytes("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] B3MasterSalt = Hex.Bytes("0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void Key_derivation_matches_rfc3711_b3()
    {
        var key = new byte[16];
        var salt = new byte[14];
        var authentication = new byte[20];
        SrtpKeyDerivation.Derive(B3MasterKey, B3MasterSalt, SrtpKeyDerivation.SrtpEncryptionLabel, key);
        SrtpKeyDerivation.Derive(B3MasterKey, B3MasterSalt, SrtpKeyDerivation.SrtpSaltLabel, salt);
        SrtpKeyDerivation.Derive(B3MasterKey, B3MasterSalt, SrtpKeyDerivation.SrtpAuthenticationLabel, authentication);

        Assert.Equal("c61e7a93744f39ee10734afe3ff7a087", Hex.Of(key));
        Assert.Equal("30cbbc08863d8c85d49db34a9ae1", Hex.Of(salt));
        Assert.Equal("cebe321f6ff7716b6fd4ab49af256a156d38baa4", Hex.Of(authentication));
    }

    [Fact]
    public void Aes_counter_mode_keystream_matches_rfc3711_b2_at_both_ends_of_the_segment()
    {
        using var counter = new AesCounterMode(Hex.Bytes("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[0xff02 * 16];
        counter.Apply(Hex.Bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        Assert.Equal("e03ead0935c95e80e166b16dd92b4eb4", Hex.Of(keystream.AsSpan(0x0000 * 16, 16)));
        Assert.Equal("d23513162b02d0f72a43a2fe4a5f97ab", Hex.Of(keystream.AsSpan(0x0001 * 16, 16)));
        Assert.Equal("41e95b3bb0a2e8dd477901e4fca894c0", Hex.Of(keystream.AsSpan(0x0002 * 16, 16)));
        Assert.Equal("ec8cdf7398607cb0f2d21675ea9ea1e4", Hex.Of(keystream.AsSpan(0xfeff * 16, 16)));
        Assert.Equal("362b7c3c6773516318a077d7fc5073ae", Hex.Of(keystream.AsSpan(0xff00 * 16, 16)));
        Assert.Equal("6a2cc3787889374fbeb4c81b17ba6c44", Hex.Of(keystream.AsSpan(0xff01 * 16, 16)));
    }

    [Fact]
    public void Aes_cm_packet_matches_the_reference_packet_of_libsrtp_for_the_b3_master_key()
    {
        // libsrtp's driver protects this packet (SSRC 0xCAFEBABE, sequence 0x1234, 16 bytes of 0xAB) with the B.3 master key.
        var buffer = new byte[64];
        var plain = Hex.Bytes("800f1234 decafbad cafebabe abababab abababab abababab abababab");
        plain.CopyTo(buffer, 0);
        using var sender = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, B3MasterKey, B3MasterSalt);

        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, plain.Length, out var length));
        Assert.Equal("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb", Hex.Of(buffer.AsSpan(0, length)));
    }

    private static readonly byte[] Rfc7714Key = Hex.Bytes("000102030405060708090a0b0c0d0e0f");
    private static readonly byte[] Rfc7714Salt = Hex.Bytes("517569642070726f2071756f");
    private const string Rfc7714Rtp = "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573";
    private const string Rfc7714Srtp = "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
    private const string Rfc7714Rtcp = "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";

    [Fact]
    public void Aes_gcm_srtp_matches_rfc7714_16_1()
    {
        using var transform = new AesGcmTransform(Rfc7714Key, Rfc7714Salt);
        var plain = Hex.Bytes(Rfc7714Rtp);
        var buffer = new byte[plain.Length + 16];
        plain.CopyTo(buffer, 0);

        var length = transform.ProtectRtp(buffer, 12, plain.Length, 0x5501a0b2, 0xf17b);
        Assert.Equal(Rfc7714Srtp, Hex.Of(buffer.AsSpan(0, length)));

        var back = transform.UnprotectRtp(buffer, 12, length, 0x5501a0b2, 0xf17b);
        Assert.Equal(Hex.Of(plain), Hex.Of(buffer.AsSpan(0, back)));
    }

    [Fact]
    public void Aes_gcm_srtcp_matches_rfc7714_17_1_encrypted_and_17_3_authenticated_only()
    {
        using var transform = new AesGcmTransform(Rfc7714Key, Rfc7714Salt);
        var plain = Hex.Bytes(Rfc7714Rtcp);
        var buffer = new byte[plain.Length + 20];
        plain.CopyTo(buffer, 0);

        var length = transform.ProtectRtcp(buffer, plain.Length, 0x4d617273, 0x5d4);
        Assert.Equal(
            "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4",
            Hex.Of(buffer.AsSpan(0, length)));
        Assert.Equal(plain.Length, transform.UnprotectRtcp(buffer, length, 0x4d617273, 0x800005d4));
        Assert.Equal(Hex.Of(plain), Hex.Of(buffer.AsSpan(0, plain.Length)));

        var tagOnly = Hex.Bytes(Rfc7714Rtcp + "841dd9683dd78ec92ae58790125f62b3 000005d4");
        Assert.Equal(plain.Length, transform.UnprotectRtcp(tagOnly, tagOnly.Length, 0x4d617273, 0x000005d4));
        tagOnly[20] ^= 1;
        Assert.Equal(-1, transform.UnprotectRtcp(tagOnly, tagOnly.Length, 0x4d617273, 0x000005d4));
    }

    [Fact]
    public void Keying_material_is_cut_client_key_server_key_client_salt_server_salt()
    {
        var exported = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();
        var material = SrtpKeyingMaterial.Split(SrtpProfile.AesCm128HmacSha1_80, exported);

        Assert.Equal(exported[..16], material.ClientKey.ToArray());
        Assert.Equal(exported[16..32], material.ServerKey.ToArray());
        Assert.Equal(exported[32..46], material.ClientSalt.ToArray());
        Assert.Equal(exported[46..60], material.ServerSalt.ToArray());
        Assert.Equal(56, SrtpKeyingMaterial.ExportLength(SrtpProfile.AeadAes128Gcm));
        Assert.Throws<ArgumentException>(() => SrtpKeyingMaterial.Split(SrtpProfile.AeadAes128Gcm, exported));
    }
}
