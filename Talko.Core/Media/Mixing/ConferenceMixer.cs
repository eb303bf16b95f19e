using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Mixing;

/// <summary>
/// Mixes one conference at 48 kHz (ADR 0810), one 20 ms frame of 960 samples per <see cref="Tick"/>: every participant
/// receives the sum of all the others (mix-minus), saturated to 16 bits. The sum of everyone is built once in 32 bits
/// and each talker's own frame is subtracted, so a tick costs O(participants). A frame contributes when its sender is
/// talking or it is at least as loud as the talker detector's stop threshold (ADR 0811): background noise below that is
/// left out, so it neither adds up over many legs nor costs a mix-minus. Participants contributing nothing this tick all
/// hear the same full mix, encoded once per (codec, bitrate) and shared (<see cref="SharedMixEncoders"/>); each
/// contributor's mix-minus is encoded by its own <see cref="MixEncoder"/>.
/// Joining fades a participant in over its first frame and leaving fades its last frame out, so others
/// hear neither a click nor a gap. The tick allocates nothing once participants are in place.
/// While every participant is G.711 and says it <see cref="IMixerParticipant.MixesNarrowband"/>, the same mix runs on
/// 160-sample frames at 8 kHz: no participant is resampled (ADR 0921). The first wideband participant switches the
/// conference to 48 kHz from its next tick, and the last one leaving switches it back.
/// Only the loudest few contribute (<see cref="ConferenceMixerOptions.LoudestTalkers"/>, ADR 0930): legs are ranked
/// before decoding where they can be (an RFC 6464 level, an Opus DTX packet, no packet after a pause), so a leg that is
/// silent or not among the loudest is not decoded at all; legs that send no level are decoded and ranked by energy.
/// </summary>
public sealed class ConferenceMixer : IDisposable
{
    private readonly Lock gate = new();
    private readonly int frameSamples;
    private readonly TimeSpan tickInterval;
    private readonly int maxParticipants;
    private readonly TalkerDetectionOptions talkerOptions;
    private readonly double contributeMeanSquare;
    private readonly double contributeDbov;
    private readonly int loudestTalkers;
    private double[] levels = [];
    private bool[] pickedBefore = [];
    private bool[] picked = [];
    private readonly OpusCodecs codecs;
    private readonly SharedMixEncoders shared;
    private readonly ILogger logger;
    private readonly int[] sum;
    private readonly short[] fullMix;
    private readonly short[] scratch;
    private readonly List<Slot> departing = [];
    private readonly List<(Slot Slot, bool Talking)> talkerChanges = [];
    private readonly List<Slot> slots = [];
    private const byte RtpSilence = 127;
    private IMixSink? sink;
    private long ticks;

    /// <summary>Samples of this conference's frames now: 960 (48 kHz) or 160 (8 kHz, ADR 0921).</summary>
    private int mixSamples;

    /// <param name="options">Frame, participant limit and talker detection.</param>
    /// <param name="logger">Where failures of participants and sinks are logged.</param>
    /// <param name="codecs">The Opus implementation for Opus listeners; by default the automatic choice with default settings.</param>
    public ConferenceMixer(ConferenceMixerOptions options, ILogger? logger = null, OpusCodecs? codecs = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        frameSamples = options.FrameSamples;
        tickInterval = options.TickInterval;
        maxParticipants = options.MaxParticipants;
        talkerOptions = options.Talker;
        contributeMeanSquare = TalkerDetector.ToMeanSquare(options.Talker.StopThresholdDbov);
        contributeDbov = options.Talker.StopThresholdDbov;
        loudestTalkers = options.LoudestTalkers;
        this.logger = logger ?? NullLogger.Instance;
        this.codecs = codecs ?? new OpusCodecs(new OpusOptions(), this.logger);
        shared = new SharedMixEncoders(this.codecs);
        sum = new int[frameSamples];
        fullMix = new short[frameSamples];
        scratch = new short[frameSamples];
        mixSamples = frameSamples;
    }

    /// <summary>True while the conference mixes at 8 kHz (every participant G.711; ADR 0921).</summary>
    public bool IsNarrowband
    {
        get
        {
            lock (gate)
            {
                return mixSamples != frameSamples;
            }
        }
    }

    /// <summary>Raised after the tick on which a participant's talk spurt began. Handlers run on the tick thread.</summary>
    public event EventHandler<TalkerEventArgs>? TalkingStarted;

    /// <summary>Raised after the tick on which a talk spurt ended (also on leave or hold).</summary>
    public event EventHandler<TalkerEventArgs>? TalkingStopped;

    public int FrameSamples => frameSamples;

    /// <summary>Ticks mixed so far; the offset of the next frame is Ticks x tick interval.</summary>
    public long Ticks => Interlocked.Read(ref ticks);

    public int Count
    {
        get
        {
            lock (gate)
            {
                return slots.Count;
            }
        }
    }

    /// <summary>Where the full mix goes each tick (the recorder); null for none.</summary>
    public void SetSink(IMixSink? mixSink)
    {
        lock (gate)
        {
            sink = mixSink;
        }
    }

    /// <exception cref="InvalidOperationException">The participant is already in, or the mixer is full.</exception>
    public void Add(IMixerParticipant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        lock (gate)
        {
            if (slots.Count >= maxParticipants)
            {
                throw new InvalidOperationException($"The conference already has its maximum of {maxParticipants} participants.");
            }

            if (slots.Exists(s => s.Participant == participant))
            {
                throw new InvalidOperationException($"Participant {participant.Id} is already in this mixer.");
            }

            var key = participant.Encoding;
            var own = new MixEncoder(key, codecs);
            shared.Acquire(key.Codec, key.Bitrate);
            slots.Add(new Slot(participant, frameSamples, new TalkerDetector(talkerOptions), own));
            if (levels.Length < slots.Count)
            {
                // Ranking state grows with joins (never on the tick), doubling so a large call reallocates rarely.
                var size = Math.Max(16, levels.Length * 2);
                levels = new double[size];
                pickedBefore = new bool[size];
                picked = new bool[size];
            }

            ChooseRate();
        }
    }

    /// <summary>Removes a participant; once this returns, the mixer will not call it again.</summary>
    public bool Remove(IMixerParticipant participant)
    {
        TalkerEventArgs? stopped = null;
        lock (gate)
        {
            var index = slots.FindIndex(s => s.Participant == participant);
            if (index < 0)
            {
                return false;
            }

            var slot = slots[index];
            slots.RemoveAt(index);
            ChooseRate();
            shared.Release(slot.Own.Key);
            slot.Own.Dispose();
            if (slot.Active)
            {
                departing.Add(slot);
            }

            if (slot.Talker.ForceStop())
            {
                stopped = new TalkerEventArgs(participant.Id, CurrentOffset());
            }
        }

        if (stopped is not null)
        {
            Raise(TalkingStopped, stopped);
        }

        return true;
    }

    /// <summary>Frees the encoders (native memory with libopus); the mixer must not tick afterwards.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var slot in slots)
            {
                slot.Own.Dispose();
            }

            shared.Dispose();
        }
    }

    /// <summary>On hold a participant neither contributes nor is sent audio (RFC 3264 section 8.4).</summary>
    public void SetOnHold(IMixerParticipant participant, bool onHold)
    {
        lock (gate)
        {
            var slot = slots.Find(s => s.Participant == participant);
            if (slot is not null)
            {
                slot.OnHold = onHold;
                if (!onHold)
                {
                    slot.FadeIn = true;
                }
            }
        }
    }

    /// <summary>Mixes one frame for everyone. Called by the conference clock (or directly by tests).</summary>
    public void Tick()
    {
        lock (gate)
        {
            MixLocked();
        }

        if (talkerChanges.Count > 0)
        {
            RaiseTalkerChanges();
        }
    }

    /// <summary>
    /// Accounts for ticks the clock could not run (the machine stalled past the catch-up limit): time moves
    /// on, and the sink gets silence for them so a recording's length and offsets still follow the wall clock.
    /// </summary>
    public void Skip(long skippedTicks)
    {
        if (skippedTicks <= 0)
        {
            return;
        }

        lock (gate)
        {
            Interlocked.Add(ref ticks, skippedTicks);
            if (sink is null)
            {
                return;
            }

            Array.Clear(fullMix);
            for (var i = 0; i < skippedTicks; i++)
            {
                try
                {
                    sink.WriteMix(fullMix.AsSpan(0, mixSamples));
                }
                catch (Exception exception)
                {
                    MixingLog.SinkFailed(logger, exception);
                    return;
                }
            }
        }
    }

    /// <summary>Narrowband while every participant is G.711 and reads 8 kHz frames; called under the lock on join and leave.</summary>
    private void ChooseRate()
    {
        var narrow = slots.Count > 0 && slots.TrueForAll(s => s.Participant.MixesNarrowband && s.Own.Key.Codec is AudioCodec.Pcmu or AudioCodec.Pcma);
        mixSamples = narrow ? MixEncoder.NarrowFrame : frameSamples;
    }

    private void MixLocked()
    {
        Interlocked.Increment(ref ticks);
        var samples = mixSamples;
        var total = sum.AsSpan(0, samples);
        var mix = fullMix.AsSpan(0, samples);
        var minus = scratch.AsSpan(0, samples);
        total.Clear();
        RankAndRead(samples);

        foreach (var slot in departing)
        {
            // Fade the leaver's last frame out instead of cutting it mid-waveform (unless it was read at the other rate).
            if (slot.InputSamples == samples)
            {
                var input = slot.Input.AsSpan(0, samples);
                PcmMath.Ramp(input, 1f, 0f);
                PcmMath.Accumulate(total, input);
            }
        }

        departing.Clear();
        PcmMath.Saturate(total, mix);
        if (sink is not null)
        {
            try
            {
                sink.WriteMix(mix);
            }
            catch (Exception exception)
            {
                MixingLog.SinkFailed(logger, exception);
            }
        }

        // Every kept encoding runs each tick, so its state stays continuous for listeners who stop talking.
        shared.Encode(mix);
        foreach (var slot in slots)
        {
            if (slot.OnHold)
            {
                continue;
            }

            ReadOnlySpan<byte> encoded;
            if (slot.Active)
            {
                PcmMath.SubtractSaturate(total, slot.Input.AsSpan(0, samples), minus);
                encoded = slot.Own.Encode(minus);
            }
            else
            {
                encoded = shared.Encoded(slot.Own.Key);
            }

            try
            {
                slot.Participant.WriteFrame(encoded);
            }
            catch (Exception exception)
            {
                MixingLog.ParticipantFailed(logger, slot.Participant.Id, exception);
            }
        }
    }

    /// <summary>
    /// Looks at every leg's next frame before decoding, reads (decodes) those whose level only decoding tells, ranks all
    /// by level, then decodes the loudest few that sent a level and passes over everyone else's frame undecoded (ADR 0930).
    /// </summary>
    private void RankAndRead(int samples)
    {
        var count = slots.Count;
        for (var i = 0; i < count; i++)
        {
            var slot = slots[i];
            pickedBefore[i] = slot.Active;
            levels[i] = double.NegativeInfinity;
            slot.Outlook = slot.OnHold ? FrameOutlook.Silent : Peek(slot);
            slot.InputSamples = samples;
            slot.HasAudio = false;
            slot.Energy = 0;
            switch (slot.Outlook.Kind)
            {
                case FrameOutlookKind.Unknown:
                    Read(slot, samples);
                    if (slot.HasAudio && (slot.Talker.IsTalking || (double)slot.Energy / samples >= contributeMeanSquare))
                    {
                        levels[i] = LoudestTalkers.Dbov(slot.Energy, samples);
                    }

                    break;
                case FrameOutlookKind.Level when slot.Outlook.Level < RtpSilence:
                    var dbov = -(double)slot.Outlook.Level;
                    if (slot.Talker.IsTalking || dbov >= contributeDbov)
                    {
                        levels[i] = dbov;
                    }

                    break;
            }
        }

        LoudestTalkers.Pick(levels.AsSpan(0, count), pickedBefore.AsSpan(0, count), loudestTalkers, picked.AsSpan(0, count));
        var input = sum.AsSpan(0, samples);
        for (var i = 0; i < count; i++)
        {
            var slot = slots[i];
            var wanted = picked[i];
            if (slot.Outlook.Kind == FrameOutlookKind.Level && !slot.OnHold)
            {
                if (wanted)
                {
                    Read(slot, samples);
                }
                else
                {
                    // Not decoded: the sender's own level stands in for the frame's energy, so talker detection still sees it.
                    Skip(slot, samples);
                    slot.Energy = slot.Outlook.Level >= RtpSilence ? 0 : (long)(TalkerDetector.ToMeanSquare(-(double)slot.Outlook.Level) * samples);
                }
            }
            else if (slot.Outlook.Kind == FrameOutlookKind.Silent && !slot.OnHold)
            {
                Skip(slot, samples);
            }

            var active = wanted && slot.HasAudio && slot.Energy != 0;
            if (active)
            {
                var frame = slot.Input.AsSpan(0, samples);
                if (slot.FadeIn)
                {
                    PcmMath.Ramp(frame, 0f, 1f);
                    slot.FadeIn = false;
                }

                PcmMath.Accumulate(input, frame);
            }
            else if (!double.IsNegativeInfinity(levels[i]))
            {
                // Audible but not among the loudest: when it is picked again, it fades in rather than starting mid-waveform.
                slot.FadeIn = true;
            }

            slot.Active = active;
            if (slot.Talker.Update(slot.Energy, samples))
            {
                talkerChanges.Add((slot, slot.Talker.IsTalking));
            }
        }
    }

    private FrameOutlook Peek(Slot slot)
    {
        try
        {
            return slot.Participant.PeekFrame();
        }
        catch (Exception exception)
        {
            MixingLog.ParticipantFailed(logger, slot.Participant.Id, exception);
            return FrameOutlook.Silent;
        }
    }

    private void Read(Slot slot, int samples)
    {
        var input = slot.Input.AsSpan(0, samples);
        try
        {
            slot.HasAudio = slot.Participant.ReadFrame(input);
        }
        catch (Exception exception)
        {
            MixingLog.ParticipantFailed(logger, slot.Participant.Id, exception);
            slot.HasAudio = false;
        }

        slot.Energy = slot.HasAudio ? PcmMath.Energy(input) : 0;
    }

    private void Skip(Slot slot, int samples)
    {
        try
        {
            slot.Participant.SkipFrame(scratch.AsSpan(0, samples));
        }
        catch (Exception exception)
        {
            MixingLog.ParticipantFailed(logger, slot.Participant.Id, exception);
        }
    }

    private void RaiseTalkerChanges()
    {
        // The detector decides a few frames after the fact (its hysteresis); date the change back to the
        // first frame that caused it, so the timeline lines up with the recording.
        var frameJustMixed = Ticks - 1;
        foreach (var (slot, talking) in talkerChanges)
        {
            var firstFrame = Math.Max(0, frameJustMixed - (talking ? talkerOptions.StartFrames : talkerOptions.StopFrames) + 1);
            var args = new TalkerEventArgs(slot.Participant.Id, tickInterval * firstFrame);
            Raise(talking ? TalkingStarted : TalkingStopped, args);
        }

        talkerChanges.Clear();
    }

    private void Raise(EventHandler<TalkerEventArgs>? handler, TalkerEventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception exception)
        {
            MixingLog.ObserverFailed(logger, args.ParticipantId, exception);
        }
    }

    private TimeSpan CurrentOffset() => tickInterval * Interlocked.Read(ref ticks);

    private sealed class Slot(IMixerParticipant participant, int frameSamples, TalkerDetector talker, MixEncoder own)
    {
        public IMixerParticipant Participant { get; } = participant;

        public TalkerDetector Talker { get; } = talker;

        /// <summary>Encodes this participant's mix-minus while it contributes; its key names the shared mix otherwise.</summary>
        public MixEncoder Own { get; } = own;

        public short[] Input { get; } = new short[frameSamples];

        /// <summary>How many samples of <see cref="Input"/> the last read filled (the mix's rate then).</summary>
        public int InputSamples { get; set; }

        public bool Active { get; set; }

        /// <summary>This tick's pre-decode view of the frame, its energy once read, and whether the read found audio.</summary>
        public FrameOutlook Outlook { get; set; }

        public long Energy { get; set; }

        public bool HasAudio { get; set; }

        public bool OnHold { get; set; }

        public bool FadeIn { get; set; } = true;
    }
}
