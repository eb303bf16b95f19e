using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Srtp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Media.WebRtc.Dtls;

/// <summary>
/// DTLS-SRTP against a real peer: Debian's openssl over loopback UDP, in both roles. Both sides must negotiate the
/// same SRTP profile and export the same keying material ("EXTRACTOR-dtls_srtp", RFC 5764 section 4.2).
/// </summary>
public class DtlsOpenSslInteropTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DtlsCertificate Talko = DtlsCertificate.Create("talko", TimeSpan.FromDays(30), DateTimeOffset.UtcNow);

    [Theory]
    [InlineData("SRTP_AES128_CM_SHA1_80", SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", SrtpProfile.AeadAes128Gcm)]
    public async Task Talkos_server_and_openssl_s_client_export_the_same_keys(string offered, SrtpProfile expected)
    {
        using var openssl = new OpenSslPeer();
        await using var leg = new UdpDtlsLeg();
        var accepting = DtlsSrtpHandshake.AcceptAsync(Talko, openssl.Fingerprint, leg.Channel, TimeSpan.FromSeconds(30));
        openssl.StartClient(leg.Port, offered, SrtpKeyingMaterial.ExportLength(expected));

        using var session = await accepting.WaitAsync(Timeout);
        var (exported, profile) = await openssl.ExportedAsync(Timeout);

        Assert.Equal(expected, session.Profile);
        Assert.Equal(expected == SrtpProfile.AeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80", profile);
        Assert.Equal(Concat(session.Keys), exported);
        log.WriteLine($"s_client negotiated {profile}; both exported {Convert.ToHexString(exported)}");
    }

    [Fact]
    public async Task Talkos_client_and_openssl_s_server_export_the_same_keys()
    {
        using var openssl = new OpenSslPeer();
        var port = FreeUdpPort();
        openssl.StartServer(port, "SRTP_AES128_CM_SHA1_80", 60);
        await TestTimeouts.EventuallyAsync(() => FreePort.IsUdpBound(port), TestTimeouts.Default);
        await using var leg = new UdpDtlsLeg(new IPEndPoint(IPAddress.Loopback, port));

        using var session = await DtlsSrtpHandshake.ConnectAsync(Talko, openssl.Fingerprint, leg.Channel, TimeSpan.FromSeconds(30)).WaitAsync(Timeout);
        var (exported, profile) = await openssl.ExportedAsync(Timeout);

        Assert.Equal(SrtpProfile.AesCm128HmacSha1_80, session.Profile);
        Assert.Equal("SRTP_AES128_CM_SHA1_80", profile);
        Assert.Equal(Concat(session.Keys), exported);
        log.WriteLine($"s_server negotiated {profile}; both exported {Convert.ToHexString(exported)}");
    }

    [Fact]
    public async Task An_openssl_client_that_is_not_the_peer_of_the_sdp_is_refused()
    {
        using var openssl = new OpenSslPeer();
        using var expectedPeer = new OpenSslPeer(); // the SDP named this one's certificate
        await using var leg = new UdpDtlsLeg();
        var accepting = DtlsSrtpHandshake.AcceptAsync(Talko, expectedPeer.Fingerprint, leg.Channel, TimeSpan.FromSeconds(30));
        openssl.StartClient(leg.Port, "SRTP_AES128_CM_SHA1_80", 60);

        var failure = await Assert.ThrowsAsync<DtlsHandshakeException>(() => accepting.WaitAsync(Timeout));
        Assert.Equal(DtlsFailure.FingerprintMismatch, failure.Failure);
    }

    private static byte[] Concat(SrtpKeyingMaterial keys) =>
        [.. keys.ClientKey.Span, .. keys.ServerKey.Span, .. keys.ClientSalt.Span, .. keys.ServerSalt.Span];

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }
}
