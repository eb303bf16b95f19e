namespace Talko.Core.Media.Codecs.Opus;

/// <summary>The shape of Opus as Talko uses it: 48 kHz mono, 20 ms frames (RFC 6716, RFC 7587).</summary>
public static class OpusFormat
{
    /// <summary>RFC 7587 section 4.1: the RTP clock is always 48 kHz, whatever the audio bandwidth.</summary>
    public const int SampleRate = 48000;

    public const int Channels = 1;

    public const int FrameMilliseconds = 20;

    /// <summary>Samples in one 20 ms frame at 48 kHz.</summary>
    public const int FrameSamples = SampleRate / 1000 * FrameMilliseconds;

    /// <summary>RFC 6716 section 3.4 [R2]: no packet is longer than 1275 bytes per frame.</summary>
    public const int MaxPacketBytes = 1275;
}
