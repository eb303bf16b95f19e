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

/// <summary>Counters of one Opus jitter buffer since it was created.</summary>
public readonly record struct OpusJitterStatistics(long Accepted, long Duplicates, long Late, long Resynchronisations, long Recovered, long Concealed, long Malformed);

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
    private bool started;
    private uint next; // timestamp of the frame the next Read plays
    private uint origin; // slots count frames from here, so timestamps need not be multiples of a frame
    private uint startAt; // the first packet's frame: before it there is nothing to decode, rebuild or conceal
    private int missingRun;
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
    }

    public OpusJitterStatistics Statistics
    {
        get
        {
            lock (gate)
            {
                return new(accepted, duplicates, late, resynchronisations, recovered, concealed, malformed);
            }
        }
    }

    /// <summary>Stores one RTP payload whose frame starts at <paramref name="timestamp"/> (48 kHz clock).</summary>
    public JitterInsertResult Insert(uint timestamp, ReadOnlySpan<byte> payload)
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
                if (ahead < 0 && ahead > -capacity * Frame)
                {
                    late++;
                    return JitterInsertResult.Late;
                }

                if (ahead < 0 || ahead / Frame >= capacity)
                {
                    // The sender jumped (a pause, a new stream): start again from here.
                    Restart(timestamp);
                    resynchronisations++;
                    result = JitterInsertResult.Resynchronised;
                }
            }

            var slot = Slot(timestamp);
            if (present[slot] && timestamps[slot] == timestamp)
            {
                duplicates++;
                return JitterInsertResult.Duplicate;
            }

            payload.CopyTo(packets.AsSpan(slot * OpusFormat.MaxPacketBytes));
            lengths[slot] = payload.Length;
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

            var packet = Take(slot, due);
            if (!packet.IsEmpty && decoder.Decode(packet, frame) == Frame)
            {
                missingRun = 0;
                return OpusFrameSource.Decoded;
            }

            var following = Slot(due + Frame);
            if (present[following] && timestamps[following] == due + Frame
                && decoder.DecodeFec(packets.AsSpan(following * OpusFormat.MaxPacketBytes, lengths[following]), frame) == Frame)
            {
                missingRun = 0;
                recovered++;
                return OpusFrameSource.Recovered;
            }

            if (++missingRun <= maxConcealed && decoder.Conceal(frame) == Frame)
            {
                concealed++;
                return OpusFrameSource.Concealed;
            }

            frame.Clear();
            return OpusFrameSource.Silence;
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
    }

    private int Slot(uint timestamp) => (int)((timestamp - origin) / Frame % (uint)capacity);

    private bool ApproachingWrap() => next - origin >= 1u << 30;
}
