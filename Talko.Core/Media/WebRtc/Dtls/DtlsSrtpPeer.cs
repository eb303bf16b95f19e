using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>What the server and client roles share: the suites, the certificate, the fingerprint check and the key export.</summary>
internal static class DtlsSrtpPeer
{
    /// <summary>ECDHE with ECDSA only: our certificate is P-256, and every WebRTC peer offers these.</summary>
    public static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    /// <summary>Handshake messages above this are refused; a certificate chain of a WebRTC peer is one small certificate.</summary>
    public const int MaxHandshakeMessageSize = 16 * 1024;

    public static Certificate ToTlsCertificate(TlsCrypto crypto, DtlsCertificate certificate) =>
        new([crypto.CreateCertificate(certificate.Der.ToArray())]);

    public static TlsCredentialedSigner Signer(TlsContext context, TlsCrypto crypto, DtlsCertificate certificate) =>
        new BcDefaultTlsCredentialedSigner(
            new TlsCryptoParameters(context),
            (BcTlsCrypto)crypto,
            certificate.PrivateKey,
            ToTlsCertificate(crypto, certificate),
            SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));

    /// <summary>Throws the alert a peer whose certificate does not match its SDP fingerprint gets.</summary>
    public static void VerifyPeer(Certificate? certificate, DtlsFingerprint expected)
    {
        if (certificate is null || certificate.IsEmpty)
        {
            throw new FingerprintMismatchAlert("the peer sent no certificate");
        }

        if (!expected.Matches(certificate.GetCertificateAt(0).GetEncoded()))
        {
            throw new FingerprintMismatchAlert("the peer's certificate does not match the fingerprint in its SDP");
        }
    }

    public static SrtpKeyingMaterial Export(TlsContext context, SrtpProfile profile) =>
        SrtpKeyingMaterial.Split(profile, context.ExportKeyingMaterial(SrtpKeyingMaterial.ExporterLabel, null, SrtpKeyingMaterial.ExportLength(profile)));

    /// <summary>A bad_certificate alert that the handshake wrapper recognises as a fingerprint mismatch.</summary>
    internal sealed class FingerprintMismatchAlert(string message) : TlsFatalAlert(Org.BouncyCastle.Tls.AlertDescription.bad_certificate, message);

    /// <summary>The handshake_failure alert for a peer that offers no SRTP profile Talko speaks.</summary>
    internal sealed class NoSrtpProfileAlert(string message) : TlsFatalAlert(Org.BouncyCastle.Tls.AlertDescription.handshake_failure, message);
}
