using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Jitter;

namespace Talko.Core.Media.Engine.Audio;

/// <summary>
/// The receiving codec path of a leg: RTP payloads in (receive loop), 20 ms frames at the mixer's 48 kHz out (mixer
/// tick), with the playout buffer in between. One per leg; the transport that delivers the payloads (plain RTP, SRTP)
/// is not its concern. Insert and Read may run on different threads; Read allocates nothing.
/// </summary>
public abstract class InboundAudio : IDisposable
{
    /// <summary>The leg's audio path for <paramref name="format"/>.</summary>
    public static InboundAudio Create(LegAudioFormat format, JitterBufferOptions jitter, OpusCodecs codecs, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(format);
        return format.Codec == AudioCodec.Opus
            ? new OpusInboundAudio(codecs.CreateDecoder())
            : new G711InboundAudio(format.Codec, jitter, timeProvider);
    }

    public abstract JitterBufferStatistics Statistics { get; }

    /// <summary>
    /// Stores one RTP payload whose audio starts at <paramref name="timestamp"/> (the codec's RTP clock), with
    /// <paramref name="audioLevel"/> its RFC 6464 level (0-127, -dBov) or <see cref="OpusJitterBuffer.NoLevel"/>.
    /// </summary>
    public abstract JitterInsertResult Insert(uint timestamp, ReadOnlySpan<byte> payload, byte audioLevel = OpusJitterBuffer.NoLevel);

    /// <summary>Fills one 960-sample frame for the mixer; false when there is nothing to play.</summary>
    public abstract bool Read(Span<short> frame);

    /// <summary>What the next frame holds before decoding; by default unknown, so the mixer reads it.</summary>
    public virtual Mixing.FrameOutlook Peek() => Mixing.FrameOutlook.Unknown;

    /// <summary>Moves past the next frame without handing it to the mixer (by default by reading it into <paramref name="scratch"/>).</summary>
    public virtual void Skip(Span<short> scratch) => Read(scratch);

    /// <summary>Calls into the decoder so far (for Opus: decode, FEC and concealment); 0 where decoding is not counted.</summary>
    public virtual long Decodes => 0;

    /// <summary>Forgets what is buffered (a new SSRC): playout restarts with the next packet.</summary>
    public abstract void Reset();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
