using System.Buffers.Binary;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Tests.Core.Media.WebRtc.Dtls;

/// <summary>Talko's server role against its client role in memory: keys, profiles, fingerprints, timeouts.</summary>
public class DtlsSrtpHandshakeTests
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);
    private static readonly DtlsCertificate ServerCertificate = DtlsCertificate.Create("talko", TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
    private static readonly DtlsCertificate ClientCertificate = DtlsCertificate.Create("browser", TimeSpan.FromDays(30), DateTimeOffset.UtcNow);

    [Theory]
    [InlineData(new[] { SrtpProfile.AeadAes128Gcm, SrtpProfile.AesCm128HmacSha1_80 }, SrtpProfile.AeadAes128Gcm)]
    [InlineData(new[] { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm }, SrtpProfile.AeadAes128Gcm)]
    [InlineData(new[] { SrtpProfile.AesCm128HmacSha1_80 }, SrtpProfile.AesCm128HmacSha1_80)]
    public async Task Both_sides_agree_on_the_profile_and_the_keys_and_srtp_flows_both_ways(SrtpProfile[] offered, SrtpProfile expected)
    {
        var pair = new DtlsPair();
        var accepting = DtlsSrtpHandshake.AcceptAsync(ServerCertificate, ClientCertificate.Fingerprint, pair.Server, HandshakeTimeout);
        var connecting = DtlsSrtpHandshake.ConnectAsync(ClientCertificate, ServerCertificate.Fingerprint, pair.Client, HandshakeTimeout, offered);
        using var server = await accepting.WaitAsync(TestTimeout);
        using var client = await connecting.WaitAsync(TestTimeout);

        Assert.Equal(expected, server.Profile);
        Assert.Equal(expected, client.Profile);
        Assert.Equal(server.Keys.ClientKey.ToArray(), client.Keys.ClientKey.ToArray());
        Assert.Equal(server.Keys.ServerSalt.ToArray(), client.Keys.ServerSalt.ToArray());
        Assert.NotEqual(server.Keys.ClientKey.ToArray(), server.Keys.ServerKey.ToArray());

        using var clientSender = client.CreateSender();
        using var serverReceiver = server.CreateReceiver();
        using var serverSender = server.CreateSender();
        using var clientReceiver = client.CreateReceiver();
        AssertSrtpFlows(clientSender, serverReceiver);
        AssertSrtpFlows(serverSender, clientReceiver);

        // A context built from the wrong direction's keys cannot read the traffic.
        using var wrong = server.CreateSender();
        using var sender = client.CreateSender();
        Assert.Equal(SrtpResult.AuthenticationFailed, RoundTrip(sender, wrong));
    }

    private static void AssertSrtpFlows(SrtpContext sender, SrtpContext receiver) => Assert.Equal(SrtpResult.Ok, RoundTrip(sender, receiver));

    private static SrtpResult RoundTrip(SrtpContext sender, SrtpContext receiver)
    {
        var buffer = new byte[12 + 160 + 16];
        buffer[0] = 0x80;
        buffer[1] = 111;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), 0xABCDEF01);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, 12 + 160, out var length));
        return receiver.UnprotectRtp(buffer.AsSpan(0, length), out _);
    }

    [Fact]
    public async Task A_client_whose_certificate_does_not_match_its_sdp_fingerprint_is_refused()
    {
        var pair = new DtlsPair();
        var impostor = DtlsCertificate.Create("impostor", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var accepting = DtlsSrtpHandshake.AcceptAsync(ServerCertificate, ClientCertificate.Fingerprint, pair.Server, HandshakeTimeout);
        var connecting = DtlsSrtpHandshake.ConnectAsync(impostor, ServerCertificate.Fingerprint, pair.Client, HandshakeTimeout);

        var failure = await Assert.ThrowsAsync<DtlsHandshakeException>(() => accepting.WaitAsync(TestTimeout));
        Assert.Equal(DtlsFailure.FingerprintMismatch, failure.Failure);
        await Assert.ThrowsAsync<DtlsHandshakeException>(() => connecting.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task A_server_whose_certificate_does_not_match_is_refused_by_the_client()
    {
        var pair = new DtlsPair();
        var accepting = DtlsSrtpHandshake.AcceptAsync(ServerCertificate, ClientCertificate.Fingerprint, pair.Server, HandshakeTimeout);
        var connecting = DtlsSrtpHandshake.ConnectAsync(ClientCertificate, ClientCertificate.Fingerprint, pair.Client, HandshakeTimeout);

        var failure = await Assert.ThrowsAsync<DtlsHandshakeException>(() => connecting.WaitAsync(TestTimeout));
        Assert.Equal(DtlsFailure.FingerprintMismatch, failure.Failure);
        await Assert.ThrowsAsync<DtlsHandshakeException>(() => accepting.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task A_client_offering_no_profile_the_server_takes_is_refused()
    {
        var pair = new DtlsPair();
        var accepting = DtlsSrtpHandshake.AcceptAsync(ServerCertificate, ClientCertificate.Fingerprint, pair.Server, HandshakeTimeout, [SrtpProfile.AeadAes128Gcm]);
        var connecting = DtlsSrtpHandshake.ConnectAsync(ClientCertificate, ServerCertificate.Fingerprint, pair.Client, HandshakeTimeout, [SrtpProfile.AesCm128HmacSha1_80]);

        var failure = await Assert.ThrowsAsync<DtlsHandshakeException>(() => accepting.WaitAsync(TestTimeout));
        Assert.Equal(DtlsFailure.NoSrtpProfile, failure.Failure);
        await Assert.ThrowsAsync<DtlsHandshakeException>(() => connecting.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task A_handshake_nobody_answers_times_out_and_frees_its_channel()
    {
        var pair = new DtlsPair();
        var failure = await Assert.ThrowsAsync<DtlsHandshakeException>(
            () => DtlsSrtpHandshake.AcceptAsync(ServerCertificate, ClientCertificate.Fingerprint, pair.Server, TimeSpan.FromSeconds(1)).WaitAsync(TestTimeout));

        Assert.Equal(DtlsFailure.Timeout, failure.Failure);
        Assert.True(pair.Server.IsClosed);
    }

    [Fact]
    public async Task Disposing_one_side_sends_close_notify_and_ends_the_other_sides_session()
    {
        var pair = new DtlsPair();
        var accepting = DtlsSrtpHandshake.AcceptAsync(ServerCertificate, ClientCertificate.Fingerprint, pair.Server, HandshakeTimeout);
        var connecting = DtlsSrtpHandshake.ConnectAsync(ClientCertificate, ServerCertificate.Fingerprint, pair.Client, HandshakeTimeout);
        using var server = await accepting.WaitAsync(TestTimeout);
        var client = await connecting.WaitAsync(TestTimeout);

        client.Dispose();
        await server.Closed.WaitAsync(TestTimeout);
        Assert.True(pair.Server.IsClosed);
    }

    [Fact]
    public void Fingerprints_parse_from_sdp_and_format_as_rfc8122_writes_them()
    {
        var text = ServerCertificate.Fingerprint.ToString();
        Assert.Matches("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", text);
        Assert.True(DtlsFingerprint.TryParse(text.ToLowerInvariant().Replace("sha-256", "SHA-256", StringComparison.Ordinal), out var parsed));
        Assert.Equal(ServerCertificate.Fingerprint, parsed);
        Assert.True(parsed!.Matches(ServerCertificate.Der.Span));
        Assert.False(parsed.Matches(ClientCertificate.Der.Span));

        Assert.False(DtlsFingerprint.TryParse("sha-1 AB:CD", out _));
        Assert.False(DtlsFingerprint.TryParse("sha-256 " + string.Join(':', Enumerable.Repeat("ZZ", 32)), out _));
        Assert.False(DtlsFingerprint.TryParse("sha-256 " + string.Join(':', Enumerable.Repeat("AB", 31)), out _));
        Assert.False(DtlsFingerprint.TryParse(null, out _));
    }
}
