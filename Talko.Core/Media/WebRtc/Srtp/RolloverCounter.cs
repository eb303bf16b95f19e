namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// The packet index estimate of RFC 3711 section 3.3.1 and appendix A: from the highest index seen so far
/// (rollover counter and s_l) and a packet's 16-bit sequence number, the 48-bit index the packet most likely has,
/// taking the one of ROC-1, ROC, ROC+1 that lands nearest s_l.
/// </summary>
public static class RolloverCounter
{
    private const int Half = 1 << 15;

    /// <summary>
    /// The estimated index, or -1 when the packet would sit before the stream's first index (a sequence number
    /// that wrapped backwards while the rollover counter is still zero).
    /// </summary>
    public static long EstimateIndex(ulong highestIndex, ushort sequenceNumber)
    {
        var roc = (long)(highestIndex >> 16);
        var highestSequence = (int)(highestIndex & 0xFFFF);
        long guess;
        if (highestSequence < Half)
        {
            guess = sequenceNumber - highestSequence > Half ? roc - 1 : roc;
        }
        else
        {
            guess = highestSequence - Half > sequenceNumber ? roc + 1 : roc;
        }

        return guess < 0 ? -1 : (guess << 16) | sequenceNumber;
    }
}
