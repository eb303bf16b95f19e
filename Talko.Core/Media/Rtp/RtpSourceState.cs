namespace Talko.Core.Media.Rtp;

/// <summary>What <see cref="RtpSourceState.Update"/> decided about one packet's sequence number.</summary>
public enum RtpSequenceVerdict
{
    /// <summary>In order, or a small gap (loss) ahead of the highest seen.</summary>
    InOrder,

    /// <summary>Behind the highest seen (reordered or duplicated); still usable by the jitter buffer.</summary>
    Late,

    /// <summary>A large jump that is not yet confirmed by a following packet (RFC 3550 appendix A.1).</summary>
    Jumped,

    /// <summary>A new SSRC or a confirmed jump: statistics restart from this packet.</summary>
    Restarted,
}

/// <summary>
/// Per-source reception state (RFC 3550 appendix A.1): extended highest sequence number with
/// wraparound cycles, packets expected and lost, and the interval counts behind RTCP's fraction lost.
/// </summary>
public sealed class RtpSourceState
{
    private const int SequenceModulo = 1 << 16;

    private readonly int maxDropout;
    private readonly int maxMisorder;
    private ushort maxSequence;
    private uint cycles;
    private uint baseSequence;
    private uint badSequence = SequenceModulo + 1;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private bool started;

    public RtpSourceState(int maxDropout = 3000, int maxMisorder = 100)
    {
        this.maxDropout = maxDropout;
        this.maxMisorder = maxMisorder;
    }

    public uint Ssrc { get; private set; }

    public long Received => received;

    /// <summary>Cycles in the high 16 bits, highest sequence number in the low 16 (RFC 3550 section 6.4.1).</summary>
    public uint ExtendedHighestSequence => cycles + maxSequence;

    public long Expected => started ? (long)ExtendedHighestSequence - baseSequence + 1 : 0;

    /// <summary>Cumulative packets lost; negative when duplicates outnumber losses, as section 6.4.1 allows.</summary>
    public long Lost => Expected - received;

    public InterarrivalJitter Jitter;

    public RtpSequenceVerdict Update(uint ssrc, ushort sequence)
    {
        if (!started || ssrc != Ssrc)
        {
            Ssrc = ssrc;
            Restart(sequence);
            return RtpSequenceVerdict.Restarted;
        }

        var delta = (ushort)(sequence - maxSequence);
        if (delta < maxDropout)
        {
            if (sequence < maxSequence)
            {
                cycles += SequenceModulo;
            }

            maxSequence = sequence;
            received++;
            return RtpSequenceVerdict.InOrder;
        }

        if (delta <= SequenceModulo - maxMisorder)
        {
            if (sequence == badSequence)
            {
                // Two packets in a row after a jump: the sender restarted its numbering.
                Restart(sequence);
                return RtpSequenceVerdict.Restarted;
            }

            badSequence = (uint)((sequence + 1) & (SequenceModulo - 1));
            return RtpSequenceVerdict.Jumped;
        }

        received++;
        return RtpSequenceVerdict.Late;
    }

    /// <summary>The fraction lost since the previous call, as the 8-bit fixed point of section 6.4.1.</summary>
    public byte TakeFractionLost()
    {
        var expected = Expected;
        var expectedInterval = expected - expectedPrior;
        var receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        var lostInterval = expectedInterval - receivedInterval;
        if (expectedInterval <= 0 || lostInterval <= 0)
        {
            return 0;
        }

        return (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
    }

    private void Restart(ushort sequence)
    {
        started = true;
        baseSequence = sequence;
        maxSequence = sequence;
        badSequence = SequenceModulo + 1;
        cycles = 0;
        received = 1;
        expectedPrior = 0;
        receivedPrior = 0;
        Jitter.Reset();
    }
}
