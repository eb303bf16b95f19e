namespace Talko.Core.Media.Codecs.Opus;

/// <summary>
/// What one encoder is set to: legs and recordings differ in bitrate, a benchmark in complexity. The input rate is
/// 48 kHz unless a wideband mix at 16 kHz is measured (8, 12, 16, 24 and 48 kHz are Opus input rates).
/// </summary>
public readonly record struct OpusEncoderSettings(int Bitrate, int Complexity, bool InbandFec = true, int ExpectedPacketLossPercent = 10, int SampleRate = OpusFormat.SampleRate)
{
    /// <summary>Samples in one 20 ms frame at <see cref="SampleRate"/>.</summary>
    public int FrameSamples => SampleRate / 1000 * OpusFormat.FrameMilliseconds;
}
