using System.Net;
using Talko.Core.Calls;
using Talko.Core.Media.WebRtc;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Media.WebRtc.Sdp;

namespace Talko.Core.Media.Engine;

/// <summary>WebRTC legs (ADR 0721): the same <see cref="MediaLeg"/> with a <see cref="WebRtcMediaLegTransport"/>.</summary>
public sealed partial class ConferenceMediaEngine
{
    private readonly Lazy<DtlsCertificate> certificate = new(() => DtlsCertificate.Create("talko", TimeSpan.FromDays(30), DateTimeOffset.UtcNow));

    /// <summary>Live WebRTC legs by their ICE ufrag, for the ICE-TCP listener to find the leg a connection's first check names.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, WebRtcMediaLegTransport> legsByUfrag = new(StringComparer.Ordinal);
    private readonly Lock iceTcpGate = new();

    /// <summary>Failed DTLS-SRTP handshakes by <see cref="DtlsFailure"/>, for the metrics (legs that had already left are not counted).</summary>
    private readonly long[] handshakeFailures = new long[Enum.GetValues<DtlsFailure>().Length];
    private IceTcpListener? iceTcp;

    /// <summary>The passive ICE-TCP candidate's listening endpoint once it is open (Media:WebRtc:IceTcpPort set and a WebRTC leg joined).</summary>
    public IPEndPoint? IceTcpEndPoint => iceTcp?.LocalEndPoint;

    /// <summary>This instance's DTLS certificate (ECDSA P-256), made on first use; its fingerprint goes into every answer.</summary>
    public DtlsCertificate DtlsCertificate => certificate.Value;

    /// <summary>
    /// Joins a WebRTC leg to the conference and answers the client's offer. The leg leaves by itself, like a SIP leg
    /// that hung up, when ICE consent lapses or DTLS does not complete within <see cref="WebRtcOptions.HandshakeTimeout"/>.
    /// </summary>
    /// <exception cref="Rtp.RtpPortRangeExhaustedException">No port is free.</exception>
    /// <exception cref="InvalidOperationException">The leg id is already in the conference, or the conference is full.</exception>
    public (MediaLeg Leg, string Answer) AddWebRtcLeg(string conferenceId, LegId legId, WebRtcSdpOffer offer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conferenceId);
        ArgumentNullException.ThrowIfNull(offer);
        var webRtc = options.WebRtc;
        // Before the leg exists, so a configuration that cannot name a candidate leaves nothing behind.
        var address = CandidateAddress();
        var local = IceCredentials.Generate();
        var dtls = DtlsCertificate;
        var legOptions = new MediaLegOptions(
            conferenceId, legId, new IPEndPoint(IPAddress.Any, 0), offer.Codec, offer.TelephoneEventPayloadType, address => new IcePermittedSourcePolicy(address),
            PayloadType: offer.PayloadType, OpusMaxBitrate: offer.OpusMaxAverageBitrate, AudioLevelExtensionId: offer.AudioLevelExtensionId);
        var leg = AddLeg(legOptions, sockets => new WebRtcMediaLegTransport(sockets, options.MaxDatagramSize, send => new WebRtcTransport(
            local, offer.IceUfrag, dtls, offer.Fingerprint, send, timeProvider, webRtc.HandshakeTimeout, new IceLiteOptions { ConsentTimeout = webRtc.ConsentTimeout })));
        var transport = leg.WebRtc!;
        var legTransport = leg.WebRtcLegTransport!;
        legsByUfrag[local.Ufrag] = legTransport;
        _ = leg.Closed.ContinueWith(_ => legsByUfrag.TryRemove(new KeyValuePair<string, WebRtcMediaLegTransport>(local.Ufrag, legTransport)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        transport.Ice.ConsentLapsed += () =>
        {
            MediaEngineLog.WebRtcEnded(logger, conferenceId, leg.Name, "ICE consent lapsed");
            _ = RemoveLegAsync(leg).AsTask();
        };
        _ = transport.Secured.ContinueWith(
            secured =>
            {
                if (secured.IsFaulted)
                {
                    if (FindLeg(conferenceId, legId) is not null)
                    {
                        var failure = secured.Exception!.GetBaseException() is DtlsHandshakeException dtlsFailure ? dtlsFailure.Failure : DtlsFailure.HandshakeFailed;
                        Interlocked.Increment(ref handshakeFailures[(int)failure]);
                    }

                    MediaEngineLog.WebRtcEnded(logger, conferenceId, leg.Name, secured.Exception!.GetBaseException().Message);
                    _ = RemoveLegAsync(leg).AsTask();
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var candidate = new IPEndPoint(address, leg.LocalRtp.Port);
        var tcpCandidate = EnsureIceTcp() is { } listening ? new IPEndPoint(address, listening.Port) : null;
        var answer = WebRtcSdpAnswer.Create(offer, local, dtls.Fingerprint, candidate, leg.Ssrc, $"talko-{Guid.NewGuid():N}"[..18], tcpCandidate, options.Opus.Bitrate);
        return (leg, answer);
    }

    private long[] HandshakeFailures() => [.. handshakeFailures.Select((_, i) => Interlocked.Read(ref handshakeFailures[i]))];

    /// <summary>A SIP peer's DTLS-SRTP offer (RFC 5763) gets the same leg as a browser's.</summary>
    public ValueTask<(IMediaLeg Leg, string Answer)> AddDtlsSrtpLegAsync(string conferenceId, LegId legId, WebRtcSdpOffer offer, CancellationToken cancellationToken = default)
    {
        var (leg, answer) = AddWebRtcLeg(conferenceId, legId, offer);
        return ValueTask.FromResult<(IMediaLeg, string)>((leg, answer));
    }

    /// <summary>Opens the ICE-TCP listener with the first WebRTC leg when a port is configured; null when off.</summary>
    private IPEndPoint? EnsureIceTcp()
    {
        if (options.WebRtc.IceTcpPort == 0)
        {
            return null;
        }

        lock (iceTcpGate)
        {
            if (iceTcp is null)
            {
                try
                {
                    iceTcp = new IceTcpListener(bindAddress, options.WebRtc, options.MaxDatagramSize,
                        ufrag => legsByUfrag.TryGetValue(ufrag, out var leg) ? leg : null, logger);
                }
                catch (System.Net.Sockets.SocketException exception)
                {
                    // Answers go out without the TCP candidate (UDP still works); the next leg tries again.
                    MediaEngineLog.IceTcpUnavailable(logger, options.WebRtc.IceTcpPort, exception.SocketErrorCode.ToString());
                    return null;
                }

                MediaEngineLog.IceTcpListening(logger, iceTcp.LocalEndPoint);
            }

            return iceTcp.LocalEndPoint;
        }
    }

    private void StopIceTcp()
    {
        lock (iceTcpGate)
        {
            iceTcp?.Dispose();
            iceTcp = null;
        }
    }

    private IPAddress CandidateAddress()
    {
        if (IPAddress.TryParse(options.WebRtc.CandidateAddress, out var configured))
        {
            return configured;
        }

        return bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any)
            ? throw new InvalidOperationException("Media:BindAddress is a wildcard: set Media:WebRtc:CandidateAddress to the address clients reach.")
            : bindAddress;
    }
}
