namespace Talko.Core.Media.Mixing;

/// <summary>
/// One input and one output of a <see cref="ConferenceMixer"/>. Both methods are called on the mixer's
/// tick and must return quickly without blocking; they are never called after the participant is removed.
/// </summary>
public interface IMixerParticipant
{
    string Id { get; }

    /// <summary>The codec the participant's mix-minus is encoded in.</summary>
    AudioCodec Codec { get; }

    /// <summary>Fills one frame of this participant's audio; false when it has nothing to contribute.</summary>
    bool ReadFrame(Span<short> frame);

    /// <summary>Receives this tick's mix of everyone else, encoded with <see cref="Codec"/> (one byte per sample).</summary>
    void WriteFrame(ReadOnlySpan<byte> encoded);
}

/// <summary>Receives the full mix (everyone together) once per tick, e.g. a recorder.</summary>
public interface IMixSink
{
    void WriteMix(ReadOnlySpan<short> mix);
}
