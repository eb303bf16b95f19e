using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;
using Talko.Core.Media.Recording;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>
/// Talko's media engine: one mixer (and recorder) per conference id, created with the first leg and
/// closed with the last; each leg has its own RTP/RTCP socket pair from the configured port range.
/// </summary>
public sealed partial class ConferenceMediaEngine : IConferenceMediaEngine, IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Conference> conferences = new(StringComparer.Ordinal);
    private readonly MediaEngineOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;
    private readonly IConferenceMediaObserver[] observers;
    private readonly RtpPortAllocator ports;
    private readonly IPAddress bindAddress;
    private readonly OpusCodecs opusCodecs;

    /// <summary>Figures of legs and conferences already gone, so the totals never go backwards.</summary>
    private MediaTotals retired = MediaTotals.Zero;

    /// <summary>Legs and conferences on their way out: still summed until their final figures move to <see cref="retired"/>.</summary>
    private readonly List<MediaLeg> leaving = [];
    private readonly List<Conference> closingConferences = [];

    /// <summary>Timing threads for the conferences' clocks; null with a test's fake clock or when configured off.</summary>
    private readonly MixerClockThreads? clockThreads;

    /// <summary>Threads receiving plain-RTP legs' sockets (ADR 0920); null where unsupported or configured off.</summary>
    private readonly RtpReceiveThreads? receiveThreads;

    public ConferenceMediaEngine(
        IOptions<MediaEngineOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory = null,
        IEnumerable<IConferenceMediaObserver>? observers = null,
        OpusCodecs? opusCodecs = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.options.Validate();
        this.options.Mixer.Validate();
        this.timeProvider = timeProvider;
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        logger = this.loggerFactory.CreateLogger<ConferenceMediaEngine>();
        this.observers = observers?.ToArray() ?? [];
        ports = new RtpPortAllocator(this.options.RtpPorts);
        bindAddress = IPAddress.Parse(this.options.BindAddress);
        this.opusCodecs = opusCodecs ?? new OpusCodecs(this.options.Opus, this.loggerFactory.CreateLogger<OpusCodecs>());
        if (timeProvider == TimeProvider.System && this.options.Mixer.ClockThreads > 0)
        {
            clockThreads = new MixerClockThreads(this.options.Mixer.ClockThreads);
        }

        if (this.options.ReceiveThreads > 0 && LinuxEpoll.IsSupported)
        {
            receiveThreads = new RtpReceiveThreads(this.options.ReceiveThreads, this.options.MaxDatagramSize);
        }

        WarmUp(this.options.Mixer, this.opusCodecs);
    }

    public RtpPortAllocator Ports => ports;

    public IReadOnlyCollection<string> ConferenceIds
    {
        get
        {
            lock (gate)
            {
                return [.. conferences.Keys];
            }
        }
    }

    /// <exception cref="RtpPortRangeExhaustedException">No RTP/RTCP pair is free.</exception>
    /// <exception cref="InvalidOperationException">The leg id is already in the conference, or the conference is full.</exception>
    public ValueTask<IMediaLeg> AddLegAsync(MediaLegOptions legOptions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(legOptions);
        ArgumentException.ThrowIfNullOrWhiteSpace(legOptions.ConferenceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(legOptions.LegId.Key, nameof(legOptions));
        ArgumentNullException.ThrowIfNull(legOptions.RemoteRtp);
        if (!Enum.IsDefined(legOptions.Codec))
        {
            throw new ArgumentException($"Codec {legOptions.Codec} is not supported.", nameof(legOptions));
        }

        if (legOptions.PayloadType is < 0 or > 127 || (legOptions.Codec == AudioCodec.Opus && legOptions.PayloadType is < 96))
        {
            throw new ArgumentException("The payload type is 0-127, and dynamic (96-127) for Opus.", nameof(legOptions));
        }

        if (legOptions.TelephoneEventPayloadType is < 96 or > 127)
        {
            throw new ArgumentException("telephone-event uses a dynamic payload type (96-127).", nameof(legOptions));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var leg = AddLeg(legOptions, sockets => new UdpMediaLegTransport(sockets, options.MaxDatagramSize, receiveThreads));
        return ValueTask.FromResult<IMediaLeg>(leg);
    }

    /// <summary>Joins a leg whose packets travel over the transport <paramref name="createTransport"/> builds on a fresh port pair.</summary>
    private MediaLeg AddLeg(MediaLegOptions legOptions, Func<RtpSocketPair, IMediaLegTransport> createTransport)
    {
        MediaLeg leg;
        Conference? opened = null;
        lock (gate)
        {
            if (!conferences.TryGetValue(legOptions.ConferenceId, out var conference))
            {
                conference = opened = new Conference(legOptions.ConferenceId, this);
                conferences.Add(legOptions.ConferenceId, conference);
            }

            if (conference.Legs.ContainsKey(legOptions.LegId.ToString()))
            {
                throw new InvalidOperationException($"Leg {legOptions.LegId} is already in conference {legOptions.ConferenceId}.");
            }

            if (conference.Legs.Count >= options.MaxLegsPerConference)
            {
                throw new InvalidOperationException($"Conference {legOptions.ConferenceId} already has its maximum of {options.MaxLegsPerConference} legs.");
            }

            IMediaLegTransport transport;
            try
            {
                var sockets = ports.Allocate(bindAddress);
                try
                {
                    transport = createTransport(sockets);
                }
                catch
                {
                    sockets.Dispose();
                    throw;
                }
            }
            catch
            {
                if (opened is not null)
                {
                    conferences.Remove(legOptions.ConferenceId);
                }

                throw;
            }

            leg = new MediaLeg(this, legOptions, transport, options, opusCodecs, timeProvider, loggerFactory.CreateLogger<MediaLeg>());
            conference.Legs.Add(leg.Name, leg);
            conference.LegIds[leg.Name] = leg.LegId;
            leg.CurrentTick = () => conference.Mixer.Ticks;
            leg.JoinedAtTick = conference.Mixer.Ticks;
            conference.Mixer.Add(leg);
            leg.Start();

            // Started inside the lock so that a leg leaving at once cannot close the conference before it runs.
            opened?.Start();
        }

        if (opened is not null)
        {
            MediaEngineLog.ConferenceOpened(logger, opened.Id);
        }

        MediaEngineLog.LegJoined(logger, leg.ConferenceId, leg.Name, leg.LocalRtp, legOptions.RemoteRtp, leg.Codec);
        Notify(o => o.OnLegJoined(leg.ConferenceId, leg.LegId));
        return leg;
    }

    /// <summary>The live leg with this id, for diagnostics and tests.</summary>
    public MediaLeg? FindLeg(string conferenceId, LegId legId)
    {
        lock (gate)
        {
            return conferences.TryGetValue(conferenceId, out var conference) && conference.Legs.TryGetValue(legId.ToString(), out var leg) ? leg : null;
        }
    }

    /// <summary>Clock figures of a live conference: (ticks mixed, late ticks).</summary>
    public (long Ticks, long LateTicks)? GetClock(string conferenceId)
    {
        lock (gate)
        {
            return conferences.TryGetValue(conferenceId, out var conference)
                ? (conference.Mixer.Ticks, conference.Clock.LateTicks)
                : null;
        }
    }

    /// <summary>Totals since the engine started, live legs and conferences included (for the metrics a scrape reads).</summary>
    public MediaTotals Totals
    {
        get
        {
            lock (gate)
            {
                var totals = retired with { Conferences = conferences.Count, Legs = 0 };
                foreach (var conference in conferences.Values.Concat(closingConferences))
                {
                    totals = totals.AddClock(conference.Mixer.Ticks, conference.Clock.LateTicks, conference.Clock.SkippedTicks);
                    foreach (var leg in conference.Legs.Values)
                    {
                        totals = totals.Add(leg.Statistics) with { Legs = totals.Legs + 1 };
                    }
                }

                foreach (var leg in leaving)
                {
                    totals = totals.Add(leg.Statistics);
                }

                return totals with { WebRtcHandshakeFailures = HandshakeFailures() };
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        MediaLeg[] legs;
        lock (gate)
        {
            legs = [.. conferences.Values.SelectMany(c => c.Legs.Values)];
        }

        foreach (var leg in legs)
        {
            await RemoveLegAsync(leg).ConfigureAwait(false);
        }

        StopIceTcp();
        clockThreads?.Dispose();
        receiveThreads?.Dispose();
    }

    internal void SetOnHold(MediaLeg leg, bool onHold)
    {
        lock (gate)
        {
            if (conferences.TryGetValue(leg.ConferenceId, out var conference))
            {
                conference.Mixer.SetOnHold(leg, onHold);
            }
        }
    }

    internal void ChangeFormat(MediaLeg leg, Audio.LegAudioFormat format, int? telephoneEventPayloadType)
    {
        if (telephoneEventPayloadType is < 96 or > 127)
        {
            throw new ArgumentException("telephone-event uses a dynamic payload type (96-127).", nameof(telephoneEventPayloadType));
        }

        lock (gate)
        {
            if (!conferences.TryGetValue(leg.ConferenceId, out var conference) || !conference.Legs.ContainsKey(leg.Name))
            {
                return;
            }

            if (format == leg.Format)
            {
                leg.ReplaceTelephoneEvent(telephoneEventPayloadType);
                return;
            }

            // Out of the mixer and back in: it takes the new encoding, and no tick reads the old decoder meanwhile.
            conference.Mixer.Remove(leg);
            leg.ReplaceFormat(format, telephoneEventPayloadType);
            conference.Mixer.Add(leg);
        }

        MediaEngineLog.LegFormatChanged(logger, leg.ConferenceId, leg.Name, format.Codec, format.PayloadType);
    }

    internal void NotifyTelephoneEvent(MediaLeg leg, TelephoneEvent telephoneEvent) =>
        Notify(o => o.OnTelephoneEvent(leg.ConferenceId, leg.LegId, telephoneEvent));

    internal async ValueTask RemoveLegAsync(MediaLeg leg)
    {
        Conference? closing = null;
        lock (gate)
        {
            if (!conferences.TryGetValue(leg.ConferenceId, out var conference) || !conference.Legs.Remove(leg.Name, out var found) || found != leg)
            {
                return;
            }

            conference.Mixer.Remove(leg);
            conference.LegIds.TryRemove(leg.Name, out _);
            leaving.Add(leg);
            if (conference.Legs.Count == 0)
            {
                conferences.Remove(conference.Id);
                closingConferences.Add(conference);
                closing = conference;
            }
        }

        await leg.StopAsync().ConfigureAwait(false);
        lock (gate)
        {
            leaving.Remove(leg);
            retired = retired.Add(leg.Statistics);
        }

        Notify(o => o.OnLegLeft(leg.ConferenceId, leg.LegId));
        if (closing is not null)
        {
            await closing.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Builds the G.711 tables and compiles the tick path (G.711 and Opus) once, here, so the first conference's first
    /// ticks do not stall on it (a stalled clock skips ticks, which callers hear as a gap).
    /// </summary>
    private static void WarmUp(ConferenceMixerOptions mixerOptions, OpusCodecs codecs)
    {
        using var mixer = new ConferenceMixer(mixerOptions, null, codecs);
        IMixerParticipant[] participants =
        [
            new WarmUpParticipant(new SharedMixKey(AudioCodec.Pcmu, 0)),
            new WarmUpParticipant(new SharedMixKey(AudioCodec.Pcma, 0)),
            new WarmUpParticipant(new SharedMixKey(AudioCodec.Opus, codecs.Options.Bitrate)),
        ];
        foreach (var participant in participants)
        {
            mixer.Add(participant);
        }

        for (var i = 0; i < 3; i++)
        {
            mixer.Tick();
        }

        foreach (var participant in participants)
        {
            mixer.Remove(participant);
        }
    }

    private void Notify(Action<IConferenceMediaObserver> action)
    {
        foreach (var observer in observers)
        {
            try
            {
                action(observer);
            }
            catch (Exception exception)
            {
                MediaEngineLog.ObserverFailed(logger, exception);
            }
        }
    }

    private sealed class WarmUpParticipant(SharedMixKey encoding) : IMixerParticipant
    {
        public string Id { get; } = $"warm-up-{encoding.Codec}";

        public SharedMixKey Encoding => encoding;

        public bool ReadFrame(Span<short> frame)
        {
            frame.Fill(1000);
            return true;
        }

        public void WriteFrame(ReadOnlySpan<byte> encoded)
        {
        }
    }

    private sealed class Conference
    {
        private readonly ConferenceMediaEngine engine;
        private CallRecording? recording;

        public Conference(string id, ConferenceMediaEngine engine)
        {
            Id = id;
            this.engine = engine;
            var mixerOptions = engine.options.Mixer;
            Mixer = new ConferenceMixer(mixerOptions, engine.loggerFactory.CreateLogger<ConferenceMixer>(), engine.opusCodecs);
            Clock = new MixerClock(
                engine.timeProvider, mixerOptions.TickInterval, mixerOptions.MaxCatchUpTicks, Mixer.Tick, engine.logger, Mixer.Skip, engine.clockThreads);
            Mixer.TalkingStarted += (_, e) =>
            {
                recording?.Timeline.Started(e.ParticipantId, e.Offset);
                if (LegIds.TryGetValue(e.ParticipantId, out var legId))
                {
                    engine.Notify(o => o.OnTalkingStarted(Id, legId, e.Offset));
                }
            };
            Mixer.TalkingStopped += (_, e) =>
            {
                recording?.Timeline.Stopped(e.ParticipantId, e.Offset);
                if (LegIds.TryGetValue(e.ParticipantId, out var legId))
                {
                    engine.Notify(o => o.OnTalkingStopped(Id, legId, e.Offset));
                }
            };
        }

        public string Id { get; }

        public ConferenceMixer Mixer { get; }

        public MixerClock Clock { get; }

        /// <summary>The legs by <see cref="MediaLeg.Name"/>, the id the mixer knows them by.</summary>
        public Dictionary<string, MediaLeg> Legs { get; } = new(StringComparer.Ordinal);

        /// <summary>The typed id behind each mixer participant id, read on the mixer's thread for talker events.</summary>
        public ConcurrentDictionary<string, LegId> LegIds { get; } = new(StringComparer.Ordinal);

        public void Start()
        {
            var recordingOptions = engine.options.Recording;
            if (!string.IsNullOrWhiteSpace(recordingOptions.Directory))
            {
                try
                {
                    // Ogg Opus records at 48 kHz (ADR 0812), WAV stays 8 kHz (ADR 0811); the mix reaches either at
                    // the recording's rate whichever rate the mixer runs at now or later (ADR 0921).
                    var rate = recordingOptions.Format == RecordingFormat.OggOpus ? OpusFormat.SampleRate : Codecs.G711.SampleRate;
                    recording = recordingOptions.Format == RecordingFormat.OggOpus
                        ? CallRecording.Start(Id, rate, OpusFormat.FrameSamples, recordingOptions, engine.timeProvider, engine.logger, engine.opusCodecs)
                        : CallRecording.Start(Id, rate, rate / 1000 * OpusFormat.FrameMilliseconds, recordingOptions, engine.timeProvider, engine.logger);
                    Mixer.SetSink(new RateMatchedMixSink(recording, rate));

                    var audioPath = recording.AudioPath;
                    engine.Notify(o => o.OnRecordingStarted(Id, audioPath));
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // The call goes on unrecorded rather than failing.
                    MediaEngineLog.RecordingFailed(engine.logger, Id, exception);
                }
            }

            Clock.Start();
        }

        public async ValueTask CloseAsync()
        {
            await Clock.DisposeAsync().ConfigureAwait(false);
            lock (engine.gate)
            {
                engine.closingConferences.Remove(this);
                engine.retired = engine.retired.AddClock(Mixer.Ticks, Clock.LateTicks, Clock.SkippedTicks);
            }

            Mixer.SetSink(null);
            Mixer.Dispose();
            MediaEngineLog.ConferenceClosed(engine.logger, Id, Mixer.Ticks, Clock.LateTicks);
            if (recording is not null)
            {
                try
                {
                    var result = await recording.CompleteAsync().ConfigureAwait(false);
                    engine.Notify(o => o.OnRecordingCompleted(result));
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    MediaEngineLog.RecordingFailed(engine.logger, Id, exception);
                }
            }
        }
    }
}
