namespace Talko.Core.Media.Codecs.Opus;

/// <summary>Encodes 20 ms mono frames (at 48 kHz unless made for another rate). One instance per stream; not thread-safe.</summary>
public interface IOpusFrameEncoder : IDisposable
{
    /// <summary>Encodes one 20 ms frame into <paramref name="packet"/>; returns the packet length.</summary>
    int Encode(ReadOnlySpan<short> frame, Span<byte> packet);

    /// <summary>Samples of encoder delay (the Ogg Opus pre-skip, RFC 7845 section 4.2).</summary>
    int Lookahead { get; }
}
