namespace Talko.Core.Media.Codecs.Opus;

/// <summary>How Talko encodes Opus (bound as Talko:Media:Opus). Defaults come from `Talko.Bench opus` (docs/benchmarks.md).</summary>
public sealed class OpusOptions
{
    /// <summary>Auto (native libopus, else Concentus), Native (fail start-up without libopus) or Managed (Concentus).</summary>
    public OpusImplementation Implementation { get; set; } = OpusImplementation.Auto;

    /// <summary>
    /// Encoder complexity 0-10: higher costs more CPU per frame for a little more quality at the same bitrate. 5 costs
    /// native libopus about 0.2 ms a frame here, and encoders run per talker and per shared mix, not per listener.
    /// </summary>
    public int Complexity { get; set; } = 5;

    /// <summary>Target bitrate of call legs in bits per second (6000-510000); also what SDP offers as maxaveragebitrate.</summary>
    public int Bitrate { get; set; } = 32000;

    /// <summary>Target bitrate of Ogg Opus recordings in bits per second (6000-510000).</summary>
    public int RecordingBitrate { get; set; } = 20000;

    /// <summary>
    /// Encoder complexity 0-10 of Ogg Opus recordings: one encoder per recorded call, on the recording's writer thread
    /// rather than the mixer tick.
    /// </summary>
    public int RecordingComplexity { get; set; } = 5;

    /// <summary>
    /// Expected packet loss in percent (0-100): how much in-band FEC the encoder spends so a receiver can rebuild a lost
    /// frame. libopus 1.3.1 at 32 kb/s sends no FEC at 5 %; from 10 % it does (OpusCodecTests checks the default).
    /// </summary>
    public int ExpectedPacketLossPercent { get; set; } = 10;

    internal void Validate()
    {
        if (!Enum.IsDefined(Implementation) || Complexity is < 0 or > 10 || RecordingComplexity is < 0 or > 10 || Bitrate is < 6000 or > 510000
            || RecordingBitrate is < 6000 or > 510000 || ExpectedPacketLossPercent is < 0 or > 100)
        {
            throw new ArgumentException(
                "Talko:Media:Opus needs Complexity and RecordingComplexity 0-10, Bitrate and RecordingBitrate 6000-510000 and ExpectedPacketLossPercent 0-100.");
        }
    }
}
