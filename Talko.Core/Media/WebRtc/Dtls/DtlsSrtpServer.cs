using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 server role (a=setup:passive) with use_srtp (RFC 5764): it requires a client certificate, checks it
/// against the peer's SDP fingerprint, picks the first of Talko's preferred SRTP profiles the client offers, and
/// exports the SRTP keys when the handshake completes.
/// </summary>
internal sealed class DtlsSrtpServer(DtlsCertificate certificate, DtlsFingerprint peerFingerprint, IReadOnlyList<SrtpProfile> preference, int timeoutMillis)
    : DefaultTlsServer(new BcTlsCrypto(new SecureRandom()))
{
    public SrtpProfile? Profile { get; private set; }

    public SrtpKeyingMaterial? Keys { get; private set; }

    public override int GetHandshakeTimeoutMillis() => timeoutMillis;

    public override int GetMaxHandshakeMessageSize() => DtlsSrtpPeer.MaxHandshakeMessageSize;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => DtlsSrtpPeer.CipherSuites;

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var offered = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions)?.ProtectionProfiles ?? [];
        Profile = preference.Where(p => offered.Contains((int)p)).Select(p => (SrtpProfile?)p).FirstOrDefault()
            ?? throw new DtlsSrtpPeer.NoSrtpProfileAlert($"the client offered SRTP profiles [{string.Join(", ", offered)}], none Talko speaks");
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = base.GetServerExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([(int)Profile!.Value], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate) => DtlsSrtpPeer.VerifyPeer(clientCertificate, peerFingerprint);

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => DtlsSrtpPeer.Signer(m_context, Crypto, certificate);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keys = DtlsSrtpPeer.Export(m_context, Profile!.Value);
    }
}
