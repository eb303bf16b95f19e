using Talko.Core.Media;

namespace Talko.Core.Sip.Conferencing;

/// <summary>Conference signalling choices.</summary>
public sealed class ConferencingOptions
{
    /// <summary>
    /// Codecs accepted in offers and listed in Talko's own (Opus first, then PCMU, then PCMA, ADR 0811); an answer takes
    /// the best of these that the peer offers.
    /// </summary>
    public IReadOnlyList<AudioCodec> Codecs { get; set; } = [AudioCodec.Opus, AudioCodec.Pcmu, AudioCodec.Pcma];

    /// <summary>Send 180 Ringing before the 200 (an answering conference does not really ring, but peers expect it).</summary>
    public bool SendRinging { get; set; } = true;

    /// <summary>Most conference legs on this engine at once; beyond it INVITEs get 503.</summary>
    public int MaxCalls { get; set; } = 10_000;

    /// <summary>How long a device rung into a conference may take to answer.</summary>
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
