using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Jitter;

namespace Talko.Core.Media.Engine.Audio;

/// <summary>
/// Opus: packets stay encoded in the <see cref="OpusJitterBuffer"/> and are decoded straight to 48 kHz on the tick,
/// a lost one rebuilt from the next packet's in-band FEC when that has arrived, concealed otherwise.
/// </summary>
internal sealed class OpusInboundAudio(IOpusFrameDecoder decoder) : InboundAudio
{
    private readonly OpusJitterBuffer jitter = new(decoder);

    public override JitterBufferStatistics Statistics
    {
        get
        {
            var s = jitter.Statistics;
            return new JitterBufferStatistics(
                s.Accepted, s.Malformed, s.Duplicates, s.Late, s.Resynchronisations, s.Concealed + s.Recovered, 0, 0,
                OpusFormat.FrameSamples * 3, 0, 0);
        }
    }

    /// <summary>Frames rebuilt from in-band FEC and frames concealed, for tests and diagnostics.</summary>
    public OpusJitterStatistics OpusStatistics => jitter.Statistics;

    public override JitterInsertResult Insert(uint timestamp, ReadOnlySpan<byte> payload, byte audioLevel = OpusJitterBuffer.NoLevel) =>
        jitter.Insert(timestamp, payload, audioLevel);

    public override bool Read(Span<short> frame) => jitter.Read(frame) != OpusFrameSource.Silence;

    public override Mixing.FrameOutlook Peek() => jitter.Peek();

    /// <summary>Passes over the frame without decoding it (ADR 0930): the saving that makes silent legs cheap.</summary>
    public override void Skip(Span<short> scratch) => jitter.Skip();

    public override long Decodes => jitter.Statistics.Decodes;

    public override void Reset() => jitter.Reset();

    protected override void Dispose(bool disposing) => decoder.Dispose();
}
