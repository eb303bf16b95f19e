namespace Talko.Core.Media.Codecs.Opus;

/// <summary>A libopus decoder state (opus_decoder_create), freed on dispose or finalization.</summary>
internal sealed unsafe class NativeOpusDecoder : IOpusFrameDecoder
{
    private readonly NativeOpusLibrary library;
    private readonly int frameSamples;
    private nint state;

    public NativeOpusDecoder(NativeOpusLibrary library, int sampleRate = OpusFormat.SampleRate)
    {
        this.library = library;
        frameSamples = sampleRate / 1000 * OpusFormat.FrameMilliseconds;
        int error;
        state = library.DecoderCreate(sampleRate, OpusFormat.Channels, &error);
        if (state == 0 || error != 0)
        {
            throw new InvalidOperationException($"opus_decoder_create failed with {error}.");
        }
    }

    ~NativeOpusDecoder() => Free();

    public int Decode(ReadOnlySpan<byte> packet, Span<short> frame) => packet.IsEmpty ? Conceal(frame) : Run(packet, frame, fec: false);

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> frame) => nextPacket.IsEmpty ? Conceal(frame) : Run(nextPacket, frame, fec: true);

    public int Conceal(Span<short> frame) => Run([], frame, fec: false);

    public void Reset()
    {
        ObjectDisposedException.ThrowIf(state == 0, this);
        library.DecoderCtl(state, NativeOpusLibrary.ResetState);
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private int Run(ReadOnlySpan<byte> packet, Span<short> frame, bool fec)
    {
        ObjectDisposedException.ThrowIf(state == 0, this);

        // Concealment and FEC must ask for exactly the missing duration; a normal decode may return less (a 10 ms packet).
        var samples = Math.Min(frame.Length, frameSamples);
        fixed (byte* data = packet)
        fixed (short* pcm = frame)
        {
            var decoded = library.Decode(state, packet.IsEmpty ? null : data, packet.Length, pcm, samples, fec ? 1 : 0);
            return decoded < 0 ? -1 : decoded;
        }
    }

    private void Free()
    {
        var old = Interlocked.Exchange(ref state, 0);
        if (old != 0)
        {
            library.DecoderDestroy(old);
        }
    }
}
