namespace Talko.Core.Media.Codecs;

/// <summary>Dispatches G.711 coding by the negotiated <see cref="AudioCodec"/>.</summary>
public static class G711
{
    /// <summary>8 kHz narrowband: one G.711 byte per sample.</summary>
    public const int SampleRate = 8000;

    public static void Encode(AudioCodec codec, ReadOnlySpan<short> pcm, Span<byte> encoded)
    {
        if (codec == AudioCodec.Pcma)
        {
            ALaw.Encode(pcm, encoded);
        }
        else
        {
            MuLaw.Encode(pcm, encoded);
        }
    }

    public static void Decode(AudioCodec codec, ReadOnlySpan<byte> encoded, Span<short> pcm)
    {
        if (codec == AudioCodec.Pcma)
        {
            ALaw.Decode(encoded, pcm);
        }
        else
        {
            MuLaw.Decode(encoded, pcm);
        }
    }
}
