using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Jitter;

/// <summary>What an Opus leg's frame came from on a mixer tick.</summary>
public enum OpusFrameSource
{
    /// <summary>The packet for this frame arrived and was decoded.</summary>
    Decoded,

    /// <summary>The packet was lost; the next one had arrived and its in-band FEC rebuilt this frame.</summary>
    Recovered,

    /// <summary>The packet and the next were missing; the decoder's loss concealment filled the frame.</summary>
    Concealed,

    /// <summary>Nothing to play: not started yet, or missing for longer than concealment should run.</summary>
    Silence,
}

/// <summary>
/// Counters of one Opus jitter buffer since it was created. Decodes counts calls into the decoder (decode, FEC or
/// concealment): what a silent, skipped leg does not cost; Skipped the frames passed over without decoding because the
/// mixer did not need them (ADR 0930).
/// </summary>
public readonly record struct OpusJitterStatistics(
    long Accepted, long Duplicates, long Late, long Resynchronisations, long Recovered, long Concealed, long Malformed, long Decodes = 0, long Skipped = 0);

/// <summary>
/// The playout buffer of an Opus leg. Unlike <see cref="JitterBuffer"/> it keeps packets encoded, by RTP timestamp,
/// because recovering a lost frame needs the packet after it (in-band FEC, RFC 6716 section 2.1.7): on each tick it
/// decodes the due packet, or rebuilds it from the next one when that has arrived, or conceals, and after
/// <see cref="OpusJitterBuffer(IOpusFrameDecoder, int, int, int)"/>'s concealment limit plays silence. Playout starts
/// <c>depth</c> frames behind the first packet, which absorbs that much jitter and reordering. 20 ms packets
/// (ptime 20, what Talko negotiates); storage is preallocated, so Insert and Read allocate nothing. Insert (receive
/// loop) and Read (mixer tick) may run on different threads.
/// </summary>
public sealed class OpusJitterBuffer
{
    private const int Frame = OpusFormat.FrameSamples;

    private readonly Lock gate = new();
    private readonly IOpusFrameDecoder decoder;
    private readonly int depth;
    private readonly int capacity;
    private readonly int maxConcealed;
    private readonly byte[] packets;
    private readonly int[] lengths;
    private readonly uint[] timestamps;
    private readonly bool[] present;
    private readonly byte[] levels;
    private bool started;
    private uint next; // timestamp of the frame the next Read plays
    private uint origin; // slots count frames from here, so timestamps need not be multiples of a frame
    private uint startAt; // the first packet's frame: before it there is nothing to decode, rebuild or conceal
    private int missingRun;
    private int lateRun; // consecutive late packets: the sender's timestamps may now run behind playout
    private uint lateRunSince; // the frame playout was at when the run began
    private bool decoderActive; // the last frame came out of the decoder, so a missing packet is concealed
    private bool decoderStale; // frames were skipped: the decoder's memory is of audio long gone
    private long decodes;
    private long skipped;
    private long accepted;
    private long duplicates;
    private long late;
    private long resynchronisations;
    private long recovered;
    private long concealed;
    private long malformed;

    /// <param name="decoder">The leg's decoder; this buffer is its only user.</param>
    /// <param name="depth">Frames played behind the first packet (2-3: 40-60 ms).</param>
    /// <param name="capacity">Frames held ahead of playout; a packet further ahead restarts the buffer from it.</param>
    /// <param name="maxConcealed">Consecutive frames concealed before falling silent (the sender paused or left).</param>
    public OpusJitterBuffer(IOpusFrameDecoder decoder, int depth = 3, int capacity = 25, int maxConcealed = 5)
    {
        if (depth < 1 || capacity <= depth || maxConcealed < 0)
        {
            throw new ArgumentException("An Opus jitter buffer needs a depth of at least 1 and a capacity above it.");
        }

        this.decoder = decoder;
        this.depth = depth;
        this.capacity = capacity;
        this.maxConcealed = maxConcealed;
        packets = new byte[capacity * OpusFormat.MaxPacketBytes];
        lengths = new int[capacity];
        timestamps = new uint[capacity];
        present = new bool[capacity];
        levels = new byte[capacity];
    }

    /// <summary>
    /// Consecutive late packets after which playout restarts from the sender's timestamps, when playout moved on at least
    /// this many frames less one meanwhile (about 100 ms of packets that all came too late). Fewer are reordering; a
    /// burst of held-up packets released at once arrives within a frame or two of playout and is dropped too, so it
    /// does not leave playout delayed by the hold-up.
    /// </summary>
    public const int LateRunToResynchronise = 5;

    /// <summary>A packet without an RFC 6464 level.</summary>
    public const byte NoLevel = byte.MaxValue;

    public OpusJitterStatistics Statistics
    {
        get
        {
            lock (gate)
            {
                return new(accepted, duplicates, late, resynchronisations, recovered, concealed, malformed, decodes, skipped);
            }
        }
    }

    /// <summary>
    /// Stores one RTP payload whose frame starts at <paramref name="timestamp"/> (48 kHz clock), with
    /// <paramref name="audioLevel"/> its RFC 6464 level (0-127, -dBov) or <see cref="NoLevel"/>.
    /// </summary>
    public JitterInsertResult Insert(uint timestamp, ReadOnlySpan<byte> payload, byte audioLevel = NoLevel)
    {
        if (payload.IsEmpty || payload.Length > OpusFormat.MaxPacketBytes)
        {
            lock (gate)
            {
                malformed++;
            }

            return JitterInsertResult.TooLong;
        }

        lock (gate)
        {
            var result = JitterInsertResult.Accepted;
            if (!started)
            {
                Restart(timestamp);
            }
            else
            {
                var ahead = (int)(timestamp - next);
                if (ahead < 0 && ahead > -capacity * Frame && !FellBehind())
                {
                    late++;
                    return JitterInsertResult.Late;
                }

                // Late packets arriving for a while are not reordering: the sender's timestamps fell behind playout for
                // good (its capture stalled, or this side read ahead while its packets were held up), and every later
                // packet would be late too, a leg heard as silence for as long as it talks. Like a jump, it restarts
                // playout (ADR 0931).
                if (ahead < 0 || ahead / Frame >= capacity)
                {
                    // The sender jumped (a pause, a new stream): start again from here.
                    Restart(timestamp);
                    resynchronisations++;
                    result = JitterInsertResult.Resynchronised;
                }
            }

            lateRun = 0;
            var slot = Slot(timestamp);
            if (present[slot] && timestamps[slot] == timestamp)
            {
                duplicates++;
                return JitterInsertResult.Duplicate;
            }

            payload.CopyTo(packets.AsSpan(slot * OpusFormat.MaxPacketBytes));
            lengths[slot] = payload.Length;
            levels[slot] = audioLevel;
            timestamps[slot] = timestamp;
            present[slot] = true;
            accepted++;
            return result;
        }
    }

    /// <summary>Fills one 20 ms frame for the mixer and says where it came from.</summary>
    public OpusFrameSource Read(Span<short> frame)
    {
        lock (gate)
        {
            if (!started)
            {
                frame.Clear();
                return OpusFrameSource.Silence;
            }

            var due = next;
            next += Frame;
            if ((int)(due - startAt) < 0)
            {
                frame.Clear();
                return OpusFrameSource.Silence;
            }

            var slot = Slot(due);
            if (ApproachingWrap())
            {
                // Keep slot arithmetic away from the 32-bit wrap: move the origin by whole turns of the ring.
                var turn = (uint)(capacity * Frame);
                origin += (next - origin) / turn * turn;
            }

            if (decoderStale)
            {
                // Skipped frames were silence the decoder never saw: start it afresh rather than carry on from the audio
                // before them (its overlap and predictor memory), and do not conceal from that memory either.
                decoder.Reset();
                decoderStale = false;
                missingRun = maxConcealed;
            }

            var packet = Take(slot, due);
            if (!packet.IsEmpty)
            {
                decodes++;
                if (decoder.Decode(packet, frame) == Frame)
                {
                    missingRun = 0;
                    decoderActive = true;
                    return OpusFrameSource.Decoded;
                }
            }

            var following = Slot(due + Frame);
            if (present[following] && timestamps[following] == due + Frame)
            {
                decodes++;
                if (decoder.DecodeFec(packets.AsSpan(following * OpusFormat.MaxPacketBytes, lengths[following]), frame) == Frame)
                {
                    missingRun = 0;
                    recovered++;
                    decoderActive = true;
                    return OpusFrameSource.Recovered;
                }
            }

            if (++missingRun <= maxConcealed)
            {
                decodes++;
                if (decoder.Conceal(frame) == Frame)
                {
                    concealed++;
                    decoderActive = true;
                    return OpusFrameSource.Concealed;
                }
            }

            decoderActive = false;
            frame.Clear();
            return OpusFrameSource.Silence;
        }
    }

    /// <summary>
    /// What the frame the next <see cref="Read"/> plays holds, without decoding it: its packet's RFC 6464 level, silence
    /// (nothing to play, a missing packet after a pause, or a DTX packet of the TOC byte alone), or unknown (a packet
    /// without a level, or a missing one the decoder must conceal or rebuild because audio was playing).
    /// </summary>
    public Mixing.FrameOutlook Peek()
    {
        lock (gate)
        {
            if (!started || (int)(next - startAt) < 0)
            {
                return Mixing.FrameOutlook.Silent;
            }

            var slot = Slot(next);
            if (!present[slot] || timestamps[slot] != next)
            {
                return decoderActive && !decoderStale && missingRun < maxConcealed ? Mixing.FrameOutlook.Unknown : Mixing.FrameOutlook.Silent;
            }

            if (lengths[slot] <= 1)
            {
                return Mixing.FrameOutlook.Silent;
            }

            return levels[slot] == NoLevel ? Mixing.FrameOutlook.Unknown : Mixing.FrameOutlook.Of(levels[slot]);
        }
    }

    /// <summary>
    /// Moves past the next frame without decoding it (the mixer does not need it this tick). The decoder is not fed
    /// concealment for it: the next frame that is decoded starts it afresh (ADR 0930).
    /// </summary>
    public void Skip()
    {
        lock (gate)
        {
            if (!started)
            {
                return;
            }

            var due = next;
            next += Frame;
            if ((int)(due - startAt) < 0)
            {
                return;
            }

            var slot = Slot(due);
            if (ApproachingWrap())
            {
                var turn = (uint)(capacity * Frame);
                origin += (next - origin) / turn * turn;
            }

            Take(slot, due);
            skipped++;
            decoderActive = false;
            decoderStale = true;
        }
    }

    /// <summary>Forgets everything buffered (a new SSRC); playout restarts with the next packet.</summary>
    public void Reset()
    {
        lock (gate)
        {
            started = false;
            Array.Clear(present);
        }
    }

    private ReadOnlySpan<byte> Take(int slot, uint timestamp)
    {
        if (!present[slot] || timestamps[slot] != timestamp)
        {
            return default;
        }

        present[slot] = false;
        return packets.AsSpan(slot * OpusFormat.MaxPacketBytes, lengths[slot]);
    }

    private void Restart(uint timestamp)
    {
        Array.Clear(present);
        next = timestamp - (uint)(depth * Frame);
        origin = next;
        startAt = timestamp;
        started = true;
        missingRun = 0;
        decoderActive = false;
    }

    /// <summary>Counts a late packet into the current run; true when the run says the sender fell behind for good.</summary>
    private bool FellBehind()
    {
        if (lateRun++ == 0)
        {
            lateRunSince = next;
        }

        return lateRun >= LateRunToResynchronise && (int)(next - lateRunSince) >= (LateRunToResynchronise - 1) * Frame;
    }

    private int Slot(uint timestamp) => (int)((timestamp - origin) / Frame % (uint)capacity);

    private bool ApproachingWrap() => next - origin >= 1u << 30;
}
