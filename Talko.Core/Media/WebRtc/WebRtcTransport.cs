using System.Net;
using Talko.Core.Media.WebRtc.Demux;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Core.Media.WebRtc;

/// <summary>
/// One WebRTC leg's transport on one socket: every datagram is demultiplexed (RFC 7983); STUN goes to the ICE-lite
/// responder, DTLS to the handshake (server role) but only from addresses ICE permits, SRTP and SRTCP are
/// unprotected with the keys the handshake exported, again only from permitted addresses. Everything dropped is
/// counted by reason. What the leg sends is protected here and goes to the selected ICE pair. The socket loop calls
/// <see cref="Receive"/>; the mixer calls <see cref="TrySendRtp"/> and <see cref="TrySendRtcp"/>.
/// Dispose after the socket loop has stopped.
/// </summary>
public sealed class WebRtcTransport : IDisposable
{
    private readonly Action<ReadOnlyMemory<byte>, IPEndPoint> sendTo;
    private readonly DtlsPacketChannel dtls;
    private readonly long[] drops = new long[Enum.GetValues<WebRtcDropReason>().Length];
    private readonly byte[] stunResponse = new byte[IceLiteResponder.MaxResponseLength];
    private readonly Lock sendGate = new();
    private volatile SrtpContext? receiver;
    private SrtpContext? sender;
    private DtlsSrtpSession? session;
    private volatile IPEndPoint? dtlsPeer;

    /// <param name="local">Our ICE credentials, as our SDP carries them.</param>
    /// <param name="remoteUfrag">The peer's ICE ufrag from its SDP.</param>
    /// <param name="certificate">The instance's DTLS certificate.</param>
    /// <param name="remoteFingerprint">The peer's certificate fingerprint from its SDP.</param>
    /// <param name="sendTo">Sends one datagram from the leg's socket.</param>
    /// <param name="time">Drives consent freshness.</param>
    /// <param name="handshakeTimeout">How long the DTLS handshake may take from now.</param>
    /// <param name="iceOptions">Consent timeout and pair limit; the RFC defaults when null.</param>
    public WebRtcTransport(
        IceCredentials local, string remoteUfrag, DtlsCertificate certificate, DtlsFingerprint remoteFingerprint,
        Action<ReadOnlyMemory<byte>, IPEndPoint> sendTo, TimeProvider time, TimeSpan handshakeTimeout, IceLiteOptions? iceOptions = null)
    {
        this.sendTo = sendTo;
        Ice = new IceLiteResponder(local, remoteUfrag, time, iceOptions);
        dtls = new DtlsPacketChannel(Ice.IsPermitted, SendToSelected);
        Secured = SecureAsync(certificate, remoteFingerprint, handshakeTimeout);
    }

    public IceLiteResponder Ice { get; }

    /// <summary>Completes with the DTLS-SRTP session once keys are agreed; faults with <see cref="DtlsHandshakeException"/>.</summary>
    public Task<DtlsSrtpSession> Secured { get; }

    public long Dropped(WebRtcDropReason reason) => Interlocked.Read(ref drops[(int)reason]);

    /// <summary>Every drop counter, indexed by <see cref="WebRtcDropReason"/> (a copy; for the engine's totals).</summary>
    public long[] DroppedByReason()
    {
        var copy = new long[drops.Length];
        for (var i = 0; i < drops.Length; i++)
        {
            copy[i] = Interlocked.Read(ref drops[i]);
        }

        return copy;
    }

    /// <summary>
    /// Handles one datagram that arrived on the leg's socket. For RTP and RTCP the packet is unprotected in place and
    /// <paramref name="plainLength"/> is its plain length.
    /// </summary>
    public WebRtcReceiveResult Receive(Span<byte> datagram, IPEndPoint source, out int plainLength)
    {
        plainLength = 0;
        switch (WebRtcDemultiplexer.Classify(datagram))
        {
            case WebRtcPacketKind.Stun:
                return ReceiveStun(datagram, source);
            case WebRtcPacketKind.Dtls:
                var intake = dtls.Offer(datagram, source);
                if (intake == DtlsIntakeResult.Queued)
                {
                    dtlsPeer = source;
                }

                return intake switch
                {
                    DtlsIntakeResult.Queued => WebRtcReceiveResult.Handled,
                    DtlsIntakeResult.Stranger => Drop(WebRtcDropReason.DtlsStranger),
                    DtlsIntakeResult.Malformed => Drop(WebRtcDropReason.DtlsMalformed),
                    DtlsIntakeResult.TooLarge => Drop(WebRtcDropReason.DtlsTooLarge),
                    DtlsIntakeResult.Overflow => Drop(WebRtcDropReason.DtlsOverflow),
                    _ => Drop(WebRtcDropReason.DtlsClosed),
                };
            case WebRtcPacketKind.Rtp:
            case WebRtcPacketKind.Rtcp:
                return ReceiveMedia(datagram, source, out plainLength);
            default:
                return Drop(WebRtcDropReason.UnknownProtocol);
        }
    }

    /// <summary>Protects an RTP packet for the peer; false (nothing to send) before keys or without a selected pair.</summary>
    public bool TrySendRtp(Span<byte> buffer, int length) => TrySend(buffer, length, rtcp: false);

    /// <summary>Protects an RTCP packet for the peer and sends it; false before keys or without a selected pair.</summary>
    public bool TrySendRtcp(Span<byte> buffer, int length) => TrySend(buffer, length, rtcp: true);

    private bool TrySend(Span<byte> buffer, int length, bool rtcp)
    {
        var target = Ice.SelectedEndpoint;
        if (target is null || Ice.HasLapsed)
        {
            return false;
        }

        int protectedLength;
        lock (sendGate)
        {
            if (sender is null)
            {
                return false;
            }

            var result = rtcp ? sender.ProtectRtcp(buffer, length, out protectedLength) : sender.ProtectRtp(buffer, length, out protectedLength);
            if (result != SrtpResult.Ok)
            {
                return false;
            }
        }

        sendTo(buffer[..protectedLength].ToArray(), target);
        return true;
    }

    private WebRtcReceiveResult ReceiveStun(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        var result = Ice.Handle(datagram, source, stunResponse, out var length);
        if (length > 0)
        {
            sendTo(stunResponse.AsSpan(0, length).ToArray(), source);
        }

        return result switch
        {
            IceCheckResult.Answered or IceCheckResult.Nominated or IceCheckResult.Ignored => WebRtcReceiveResult.Handled,
            IceCheckResult.Malformed => Drop(WebRtcDropReason.StunMalformed),
            _ => Drop(WebRtcDropReason.StunRefused),
        };
    }

    private WebRtcReceiveResult ReceiveMedia(Span<byte> datagram, IPEndPoint source, out int plainLength)
    {
        plainLength = 0;
        if (!Ice.IsPermitted(source))
        {
            return Drop(WebRtcDropReason.MediaStranger);
        }

        var context = receiver;
        if (context is null)
        {
            return Drop(WebRtcDropReason.MediaBeforeKeys);
        }

        var isRtcp = WebRtcDemultiplexer.Classify(datagram) == WebRtcPacketKind.Rtcp;
        var result = isRtcp ? context.UnprotectRtcp(datagram, out plainLength) : context.UnprotectRtp(datagram, out plainLength);
        return result switch
        {
            SrtpResult.Ok => isRtcp ? WebRtcReceiveResult.Rtcp : WebRtcReceiveResult.Rtp,
            SrtpResult.AuthenticationFailed => Drop(WebRtcDropReason.SrtpAuthenticationFailed),
            SrtpResult.Replayed => Drop(WebRtcDropReason.SrtpReplayed),
            SrtpResult.TooOld => Drop(WebRtcDropReason.SrtpTooOld),
            SrtpResult.TooManyStreams => Drop(WebRtcDropReason.SrtpTooManyStreams),
            _ => Drop(WebRtcDropReason.SrtpMalformed),
        };
    }

    private async Task<DtlsSrtpSession> SecureAsync(DtlsCertificate certificate, DtlsFingerprint remoteFingerprint, TimeSpan timeout)
    {
        var secured = await DtlsSrtpHandshake.AcceptAsync(certificate, remoteFingerprint, dtls, timeout);
        lock (sendGate)
        {
            session = secured;
            sender = secured.CreateSender();
        }

        receiver = secured.CreateReceiver();
        return secured;
    }

    private void SendToSelected(ReadOnlySpan<byte> datagram)
    {
        // DTLS answers go where the handshake came from: the selected pair, or before a nomination the last permitted source.
        if ((Ice.SelectedEndpoint ?? dtlsPeer) is { } target)
        {
            sendTo(datagram.ToArray(), target);
        }
    }

    private WebRtcReceiveResult Drop(WebRtcDropReason reason)
    {
        Interlocked.Increment(ref drops[(int)reason]);
        return WebRtcReceiveResult.Dropped;
    }

    public void Dispose()
    {
        dtls.Close();
        lock (sendGate)
        {
            session?.Dispose();
            sender?.Dispose();
            sender = null;
        }

        receiver?.Dispose();
        Ice.Dispose();
    }
}
