using Org.BouncyCastle.Tls;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// Runs a DTLS 1.2 handshake with use_srtp over a <see cref="DtlsPacketChannel"/> (BouncyCastle blocks, so on a
/// thread of its own) and returns the session with its SRTP keys, or throws <see cref="DtlsHandshakeException"/>.
/// Talko answers offers with a=setup:passive, so it is normally the server; the client role is there for tests,
/// benchmarks and a future offering side.
/// </summary>
public static class DtlsSrtpHandshake
{
    /// <summary>GCM first when offered (cheaper per packet, and a stronger tag), then the profile every peer has.</summary>
    public static readonly IReadOnlyList<SrtpProfile> DefaultProfiles = [SrtpProfile.AeadAes128Gcm, SrtpProfile.AesCm128HmacSha1_80];

    public static Task<DtlsSrtpSession> AcceptAsync(
        DtlsCertificate certificate, DtlsFingerprint peerFingerprint, DtlsPacketChannel channel, TimeSpan timeout,
        IReadOnlyList<SrtpProfile>? profiles = null, CancellationToken cancellationToken = default)
    {
        var server = new DtlsSrtpServer(certificate, peerFingerprint, profiles ?? DefaultProfiles, (int)timeout.TotalMilliseconds);
        return RunAsync(channel, timeout, () => new DtlsServerProtocol().Accept(server, channel), () => server.Keys, isServer: true, cancellationToken);
    }

    public static Task<DtlsSrtpSession> ConnectAsync(
        DtlsCertificate certificate, DtlsFingerprint peerFingerprint, DtlsPacketChannel channel, TimeSpan timeout,
        IReadOnlyList<SrtpProfile>? profiles = null, CancellationToken cancellationToken = default)
    {
        var client = new DtlsSrtpClient(certificate, peerFingerprint, profiles ?? DefaultProfiles, (int)timeout.TotalMilliseconds);
        return RunAsync(channel, timeout, () => new DtlsClientProtocol().Connect(client, channel), () => client.Keys, isServer: false, cancellationToken);
    }

    private static async Task<DtlsSrtpSession> RunAsync(
        DtlsPacketChannel channel, TimeSpan timeout, Func<DtlsTransport> handshake, Func<SrtpKeyingMaterial?> keys, bool isServer, CancellationToken cancellationToken)
    {
        // BouncyCastle enforces the timeout itself; closing the channel a little later is the backstop that frees its thread.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout + TimeSpan.FromSeconds(2));
        await using var closeOnLimit = limit.Token.Register(channel.Close);
        try
        {
            var transport = await Task.Factory.StartNew(handshake, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return new DtlsSrtpSession(transport, channel, keys() ?? throw new DtlsHandshakeException(DtlsFailure.HandshakeFailed, "the handshake ended without SRTP keys"), isServer);
        }
        catch (Exception exception) when (exception is not DtlsHandshakeException)
        {
            // Hostile input may surface from BouncyCastle as any exception type; every one is a failed handshake of this leg.
            channel.Close();
            cancellationToken.ThrowIfCancellationRequested();
            throw Classify(exception, limit.IsCancellationRequested);
        }
    }

    private static DtlsHandshakeException Classify(Exception exception, bool limitReached) => exception switch
    {
        DtlsSrtpPeer.FingerprintMismatchAlert => new(DtlsFailure.FingerprintMismatch, exception.Message, exception),
        DtlsSrtpPeer.NoSrtpProfileAlert => new(DtlsFailure.NoSrtpProfile, exception.Message, exception),
        TlsTimeoutException => new(DtlsFailure.Timeout, "the DTLS handshake did not finish in time", exception),
        _ when limitReached => new(DtlsFailure.Timeout, "the DTLS handshake did not finish in time", exception),
        _ => new(DtlsFailure.HandshakeFailed, $"the DTLS handshake failed: {exception.Message}", exception),
    };
}
