namespace Talko.Core.Media.Rtp;

/// <summary>Every RTP/RTCP port pair in the configured range is in use (by Talko or by another process).</summary>
public sealed class RtpPortRangeExhaustedException(int minPort, int maxPort, int pairsInUse)
    : InvalidOperationException(
        $"No free RTP/RTCP port pair in {minPort}-{maxPort}: {pairsInUse} pairs are held by this engine and the rest could not be bound. Widen the range (RtpPorts:MinPort/MaxPort) or end calls.")
{
    public int MinPort { get; } = minPort;

    public int MaxPort { get; } = maxPort;
}
