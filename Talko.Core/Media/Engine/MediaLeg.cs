using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Talko.Core.Calls;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Engine.Audio;
using Talko.Core.Media.Mixing;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>
/// One participant's RTP session: its packet transport (a plain RTP/RTCP socket pair, or a WebRTC socket), a receive
/// path that validates packets and feeds the codec's inbound path, and the sending half the mixer drives once per tick.
/// RTP and RTCP are symmetric (RFC 4961): both are sent to where the peer's packets actually come from. Everything
/// codec-specific is in <see cref="LegAudioFormat"/> (payload type, clock, encoding) and <see cref="InboundAudio"/>
/// (decoding and playout).
/// </summary>
public sealed partial class MediaLeg : IMediaLeg, IMixerParticipant
{
    private readonly ConferenceMediaEngine engine;
    private readonly IMediaLegTransport transport;
    private readonly OpusCodecs opusCodecs;
    private LegAudioFormat format;
    private InboundAudio inbound;
    private readonly RtpSourceState source = new();
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly MediaEngineOptions options;
    private int? telephoneEventPayloadType;
    // The RFC 6464 header extension's id, 0 for none; a ring-out learns it from the answer (SetAudioFormat).
    private int audioLevelExtensionId;
    private int lastAudioLevel = -1;
    private long audioLevelsReceived;
    private readonly CancellationTokenSource stopping = new();
    private readonly byte[] sendBuffer;
    private readonly uint ssrc;
    private readonly ushort initialSequence;
    private readonly uint initialTimestamp;
    private readonly string canonicalName;
    private readonly Lock rtcpGate = new();
    private readonly long startedAt;

    private readonly IMediaSourcePolicy sources;
    private bool onHold;
    private bool markNext = true;
    private long framesSent;
    private long octetsSent;
    private uint lastTelephoneEventEnd = uint.MaxValue;
    private bool receivedAny;
    private uint lastPeerSrCompact;
    private long lastPeerSrArrival;
    private byte? remoteFractionLost;
    private ITimer? rtcpTimer;
    private Task[] receiveLoops = [];
    private int disposed;

    private long packetsReceived;
    private long droppedMalformed;
    private long droppedUnknownSource;
    private long droppedUnknownPayloadType;
    private long telephoneEventPackets;
    private long ssrcChanges;
    private long rtcpReceived;
    private long rtcpSent;
    private long rtcpMalformed;
    private long rtcpDroppedUnknownSource;

    internal MediaLeg(
        ConferenceMediaEngine engine,
        MediaLegOptions legOptions,
        IMediaLegTransport transport,
        MediaEngineOptions options,
        OpusCodecs opusCodecs,
        TimeProvider timeProvider,
        ILogger logger)
    {
        this.engine = engine;
        this.transport = transport;
        this.options = options;
        this.timeProvider = timeProvider;
        this.logger = logger;
        ConferenceId = legOptions.ConferenceId;
        LegId = legOptions.LegId;
        Name = LegId.ToString();
        this.opusCodecs = opusCodecs;
        format = LegAudioFormat.For(legOptions.Codec, legOptions.PayloadType, options.Opus.Bitrate, legOptions.OpusMaxBitrate);
        telephoneEventPayloadType = legOptions.TelephoneEventPayloadType;
        audioLevelExtensionId = ValidExtensionId(legOptions.AudioLevelExtensionId);
        inbound = InboundAudio.Create(format, options.Jitter, opusCodecs, timeProvider);
        sendBuffer = new byte[RtpHeader.FixedLength + OpusFormat.MaxPacketBytes];
        var signalled = ToSocketAddress(legOptions.RemoteRtp);
        sources = legOptions.SourcePolicy?.Invoke(signalled) ?? new StrictRtpSourcePolicy(signalled, options.Sources, timeProvider, legOptions.SignallingAddress);

        // Random SSRC, sequence and timestamp origins (RFC 3550 sections 5.1 and 8.1).
        ssrc = (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
        initialSequence = (ushort)RandomNumberGenerator.GetInt32(0, ushort.MaxValue + 1);
        initialTimestamp = (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
        canonicalName = $"talko-{Name}@{transport.LocalEndPoint.Address}";
        startedAt = timeProvider.GetTimestamp();
    }

    public string ConferenceId { get; }

    public LegId LegId { get; }

    /// <summary>The leg's id as text: its mixer participant id, and the name in logs and talker timelines.</summary>
    public string Name { get; }

    string IMixerParticipant.Id => Name;

    public AudioCodec Codec => format.Codec;

    /// <summary>The negotiated payload type, RTP clock and the encoding the mixer sends this leg.</summary>
    public LegAudioFormat Format => format;

    SharedMixKey IMixerParticipant.Encoding => format.MixKey;

    /// <summary>The receiving codec path (its statistics tell FEC recoveries from concealment for Opus).</summary>
    public InboundAudio Inbound => inbound;

    public IPEndPoint LocalRtp => transport.LocalEndPoint;

    public uint Ssrc => ssrc;

    /// <summary>Where RTP is sent now: the signalled address until another source proves itself (ADR 0164).</summary>
    public IPEndPoint CurrentRemote => ToEndPoint(sources.RtpTarget);

    public bool IsOnHold => Volatile.Read(ref onHold);

    public MediaLegStatistics Statistics => new(
        Interlocked.Read(ref packetsReceived),
        Interlocked.Read(ref framesSent),
        Interlocked.Read(ref droppedMalformed),
        Interlocked.Read(ref droppedUnknownSource),
        Interlocked.Read(ref droppedUnknownPayloadType),
        Interlocked.Read(ref telephoneEventPackets),
        Interlocked.Read(ref ssrcChanges),
        sources.SourceChanges,
        ReadSourceLost(),
        ReadJitterMilliseconds(),
        Interlocked.Read(ref rtcpReceived),
        Interlocked.Read(ref rtcpSent),
        Interlocked.Read(ref rtcpMalformed),
        remoteFractionLost,
        inbound.Statistics,
        Interlocked.Read(ref rtcpDroppedUnknownSource),
        WebRtc?.DroppedByReason(),
        inbound.Decodes,
        Interlocked.Read(ref audioLevelsReceived),
        Volatile.Read(ref lastAudioLevel) is var level and >= 0 ? (byte)level : null);

    internal long JoinedAtTick { get; set; }

    internal Func<long> CurrentTick { get; set; } = () => 0;

    public void UpdateRemote(IPEndPoint remoteRtp, IPAddress? signallingAddress = null)
    {
        ArgumentNullException.ThrowIfNull(remoteRtp);
        sources.Renegotiate(ToSocketAddress(remoteRtp), signallingAddress);
    }

    public void SetOnHold(bool hold)
    {
        Volatile.Write(ref onHold, hold);
        engine.SetOnHold(this, hold);
        if (!hold)
        {
            markNext = true;
        }
    }

    public void SetAudioFormat(AudioCodec codec, int? payloadType, int? telephoneEventPayloadType, int? opusMaxBitrate, int? audioLevelExtensionId)
    {
        Volatile.Write(ref this.audioLevelExtensionId, ValidExtensionId(audioLevelExtensionId));
        var changed = LegAudioFormat.For(codec, payloadType, options.Opus.Bitrate, opusMaxBitrate);
        engine.ChangeFormat(this, changed, telephoneEventPayloadType);
    }

    public ValueTask DisposeAsync() => engine.RemoveLegAsync(this);

    /// <summary>One-byte header extension ids are 1-14 (RFC 8285); anything else means no audio levels.</summary>
    private static int ValidExtensionId(int? id) => id is >= 1 and <= 14 ? id.Value : 0;

    internal void ReplaceTelephoneEvent(int? telephoneEvent) => telephoneEventPayloadType = telephoneEvent;

    /// <summary>Called by the engine while the leg is out of the mixer, so no tick reads the old audio path meanwhile.</summary>
    internal void ReplaceFormat(LegAudioFormat changed, int? telephoneEvent)
    {
        var old = inbound;
        inbound = InboundAudio.Create(changed, options.Jitter, opusCodecs, timeProvider);
        format = changed;
        telephoneEventPayloadType = telephoneEvent;
        markNext = true;
        old.Dispose();
    }

    bool IMixerParticipant.ReadFrame(Span<short> frame) => inbound.Read(frame);

    FrameOutlook IMixerParticipant.PeekFrame() => inbound.Peek();

    void IMixerParticipant.SkipFrame(Span<short> scratch) => inbound.Skip(scratch);

    bool IMixerParticipant.MixesNarrowband => format.Codec is AudioCodec.Pcmu or AudioCodec.Pcma;

    void IMixerParticipant.WriteFrame(ReadOnlySpan<byte> encoded)
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        // The timestamp follows the conference clock, so it also advances across hold (RFC 3550 section 5.1).
        var frame = CurrentTick() - JoinedAtTick;
        var timestamp = unchecked(initialTimestamp + (uint)(frame * format.SamplesPerPacket));
        var sequence = unchecked((ushort)(initialSequence + framesSent));
        var length = RtpPacket.Write(sendBuffer, markNext, format.PayloadType, sequence, timestamp, ssrc, encoded);
        markNext = false;
        try
        {
            if (transport.SendRtp(sendBuffer.AsSpan(0, length), sources.RtpTarget))
            {
                Interlocked.Increment(ref framesSent);
                octetsSent += encoded.Length;
            }
        }
        catch (SocketException exception)
        {
            MediaEngineLog.SendFailed(logger, Name, exception.SocketErrorCode.ToString());
        }
        catch (ObjectDisposedException)
        {
            // The leg is closing; the mixer stops calling it once removal completes.
        }
    }

    internal void Start()
    {
        receiveLoops = transport.Start(this, stopping.Token);
        ScheduleRtcp();
    }

    internal async ValueTask StopAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        rtcpTimer?.Dispose();
        await stopping.CancelAsync().ConfigureAwait(false);
        transport.Dispose();
        foreach (var loop in receiveLoops)
        {
            await loop.ConfigureAwait(false);
        }

        stopping.Dispose();
        inbound.Dispose();
        var statistics = Statistics;
        MediaEngineLog.LegLeft(
            logger, ConferenceId, Name, statistics.PacketsReceived, statistics.PacketsSent,
            statistics.DroppedMalformed + statistics.DroppedUnknownSource + statistics.DroppedUnknownPayloadType);
    }

    private long ReadSourceLost()
    {
        lock (rtcpGate)
        {
            return receivedAny ? Math.Max(0, source.Lost) : 0;
        }
    }

    private double ReadJitterMilliseconds()
    {
        lock (rtcpGate)
        {
            return source.Jitter.Value * 1000 / format.ClockRate;
        }
    }

    private static IPEndPoint ToEndPoint(SocketAddress address)
    {
        var template = new IPEndPoint(address.Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        return (IPEndPoint)template.Create(address);
    }

    private SocketAddress ToSocketAddress(IPEndPoint endPoint)
    {
        // An IPv4 peer on an IPv6 socket (or the reverse) must be expressed in the socket's family.
        var family = transport.AddressFamily;
        var address = endPoint.Address;
        if (family == AddressFamily.InterNetworkV6 && address.AddressFamily == AddressFamily.InterNetwork)
        {
            address = address.MapToIPv6();
        }
        else if (family == AddressFamily.InterNetwork && address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return new IPEndPoint(address, endPoint.Port).Serialize();
    }
}
