namespace Talko.Core.Media.Mixing;

/// <summary>
/// Energy thresholds (dB relative to a full-scale square wave) and frame counts of the talker detector.
/// The gap between the two thresholds and the stop hangover are the hysteresis that keeps short pauses
/// between words from toggling the state.
/// </summary>
public sealed class TalkerDetectionOptions
{
    public double StartThresholdDbov { get; set; } = -40;

    public double StopThresholdDbov { get; set; } = -48;

    /// <summary>Consecutive loud frames before talking starts (2 x 20 ms).</summary>
    public int StartFrames { get; set; } = 2;

    /// <summary>Consecutive quiet frames before talking stops (25 x 20 ms = 500 ms).</summary>
    public int StopFrames { get; set; } = 25;

    internal void Validate()
    {
        if (StopThresholdDbov > StartThresholdDbov || StartThresholdDbov > 0 || StartFrames < 1 || StopFrames < 1)
        {
            throw new ArgumentException("Talker detection needs StopThresholdDbov <= StartThresholdDbov <= 0 and frame counts >= 1.");
        }
    }
}
