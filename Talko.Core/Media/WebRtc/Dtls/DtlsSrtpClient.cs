using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 client role (a=setup:active) with use_srtp: offers Talko's profiles, checks the server's certificate
/// against its SDP fingerprint, presents our certificate, and exports the SRTP keys.
/// </summary>
internal sealed class DtlsSrtpClient(DtlsCertificate certificate, DtlsFingerprint peerFingerprint, IReadOnlyList<SrtpProfile> offer, int timeoutMillis)
    : DefaultTlsClient(new BcTlsCrypto(new SecureRandom()))
{
    public SrtpProfile? Profile { get; private set; }

    public SrtpKeyingMaterial? Keys { get; private set; }

    public override int GetHandshakeTimeoutMillis() => timeoutMillis;

    public override int GetMaxHandshakeMessageSize() => DtlsSrtpPeer.MaxHandshakeMessageSize;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => DtlsSrtpPeer.CipherSuites;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = base.GetClientExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([.. offer.Select(p => (int)p)], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        var chosen = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions)?.ProtectionProfiles;
        if (chosen is not { Length: 1 } || !offer.Contains((SrtpProfile)chosen[0]))
        {
            throw new DtlsSrtpPeer.NoSrtpProfileAlert("the server chose no SRTP profile we offered");
        }

        Profile = (SrtpProfile)chosen[0];
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keys = DtlsSrtpPeer.Export(m_context, Profile!.Value);
    }

    private void VerifyServer(TlsServerCertificate serverCertificate) => DtlsSrtpPeer.VerifyPeer(serverCertificate.Certificate, peerFingerprint);

    private TlsCredentials Credentials() => DtlsSrtpPeer.Signer(m_context, Crypto, certificate);

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) => client.VerifyServer(serverCertificate);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) => client.Credentials();
    }
}
