using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// The self-signed ECDSA P-256 certificate one instance presents in every DTLS handshake (WebRTC authenticates it by
/// the fingerprint in the SDP, not by a CA: RFC 8827 section 6.5). Made once per instance at start; the private key
/// never leaves memory.
/// </summary>
public sealed class DtlsCertificate
{
    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey)
    {
        Der = der;
        PrivateKey = privateKey;
        Fingerprint = DtlsFingerprint.Of(der);
    }

    /// <summary>The certificate as DER, as it goes on the wire.</summary>
    public ReadOnlyMemory<byte> Der { get; }

    public DtlsFingerprint Fingerprint { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <param name="commonName">The subject; WebRTC peers ignore it.</param>
    /// <param name="lifetime">How long the certificate is valid; browsers do not check, but OpenSSL warns past expiry.</param>
    /// <param name="now">The start of validity (a day earlier, for peers whose clocks run behind).</param>
    public static DtlsCertificate Create(string commonName, TimeSpan lifetime, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now + lifetime);
        return new DtlsCertificate(certificate.RawData, PrivateKeyFactory.CreateKey(key.ExportPkcs8PrivateKey()));
    }
}
