namespace Talko.Core.Media.Codecs.Opus;

/// <summary>A libopus encoder state (opus_encoder_create), freed on dispose or finalization.</summary>
internal sealed unsafe class NativeOpusEncoder : IOpusFrameEncoder
{
    private readonly NativeOpusLibrary library;
    private readonly int frameSamples;
    private nint state;

    public NativeOpusEncoder(NativeOpusLibrary library, OpusEncoderSettings settings)
    {
        this.library = library;
        int error;
        frameSamples = settings.FrameSamples;
        state = library.EncoderCreate(settings.SampleRate, OpusFormat.Channels, NativeOpusLibrary.ApplicationVoip, &error);
        if (state == 0 || error != 0)
        {
            throw new InvalidOperationException($"opus_encoder_create failed with {error}.");
        }

        Set(NativeOpusLibrary.SetBitrateRequest, settings.Bitrate);
        Set(NativeOpusLibrary.SetComplexityRequest, settings.Complexity);
        Set(NativeOpusLibrary.SetVbrRequest, 1);
        Set(NativeOpusLibrary.SetSignalRequest, NativeOpusLibrary.SignalVoice);
        Set(NativeOpusLibrary.SetInbandFecRequest, settings.InbandFec ? 1 : 0);
        Set(NativeOpusLibrary.SetPacketLossPercentRequest, settings.ExpectedPacketLossPercent);
        int lookahead;
        Check(library.EncoderCtlPointer(state, NativeOpusLibrary.GetLookaheadRequest, &lookahead), "OPUS_GET_LOOKAHEAD");
        Lookahead = lookahead;
    }

    ~NativeOpusEncoder() => Free();

    public int Lookahead { get; }

    public int Encode(ReadOnlySpan<short> frame, Span<byte> packet)
    {
        ObjectDisposedException.ThrowIf(state == 0, this);
        if (frame.Length != frameSamples)
        {
            throw new ArgumentException($"An Opus frame here is {frameSamples} samples.", nameof(frame));
        }

        fixed (short* pcm = frame)
        fixed (byte* data = packet)
        {
            var length = library.Encode(state, pcm, frameSamples, data, Math.Min(packet.Length, OpusFormat.MaxPacketBytes));
            return length >= 0 ? length : throw new InvalidOperationException($"opus_encode failed with {length}.");
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var old = Interlocked.Exchange(ref state, 0);
        if (old != 0)
        {
            library.EncoderDestroy(old);
        }
    }

    private void Set(int request, int value) => Check(library.EncoderCtlInt(state, request, value), $"opus_encoder_ctl({request})");

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{what} failed with {result}.");
        }
    }
}
