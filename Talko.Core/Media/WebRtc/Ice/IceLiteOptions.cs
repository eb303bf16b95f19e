namespace Talko.Core.Media.WebRtc.Ice;

/// <summary>Limits of one ICE-lite responder.</summary>
public sealed class IceLiteOptions
{
    /// <summary>RFC 7675 section 5.1: consent expires 30 s after the last authenticated check.</summary>
    public TimeSpan ConsentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Remote addresses tracked at once (host, reflexive and relayed candidates of one browser fit easily).</summary>
    public int MaxPairs { get; init; } = 16;
}
