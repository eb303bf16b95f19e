namespace Talko.Core.Media.Mixing;

/// <summary>
/// One input and one output of a <see cref="ConferenceMixer"/>. Both methods are called on the mixer's
/// tick and must return quickly without blocking; they are never called after the participant is removed.
/// </summary>
public interface IMixerParticipant
{
    string Id { get; }

    /// <summary>The codec (and for Opus the bitrate) the participant's audio is encoded in; fixed for its time in the mixer.</summary>
    SharedMixKey Encoding { get; }

    /// <summary>
    /// Fills one 20 ms frame of this participant's audio: 960 samples at 48 kHz, or 160 at 8 kHz when the mixer runs
    /// narrowband (only if <see cref="MixesNarrowband"/>); false when it has nothing to contribute.
    /// </summary>
    bool ReadFrame(Span<short> frame);

    /// <summary>
    /// What the next frame holds before it is decoded (its RFC 6464 level, silence, or unknown), so the mixer can rank
    /// legs and decode only the loudest (ADR 0930). By default unknown: the mixer reads every frame.
    /// </summary>
    FrameOutlook PeekFrame() => FrameOutlook.Unknown;

    /// <summary>Passes over the next frame without decoding it; by default reads it into <paramref name="scratch"/>.</summary>
    void SkipFrame(Span<short> scratch) => ReadFrame(scratch);

    /// <summary>
    /// True for a G.711 participant that reads 8 kHz frames as well: while every participant is one, the mixer mixes at
    /// 8 kHz with no resampling (ADR 0921).
    /// </summary>
    bool MixesNarrowband => false;

    /// <summary>Receives this tick's mix of everyone else, encoded as <see cref="Encoding"/> says (one RTP payload).</summary>
    void WriteFrame(ReadOnlySpan<byte> encoded);
}

/// <summary>Receives the full mix (everyone together) once per tick, e.g. a recorder.</summary>
public interface IMixSink
{
    void WriteMix(ReadOnlySpan<short> mix);
}
