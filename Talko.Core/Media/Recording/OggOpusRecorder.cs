using Microsoft.Extensions.Logging;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Recording;

/// <summary>
/// Writes the conference mix as one Ogg Opus segment (RFC 7845), mono, at the recording bitrate. Like
/// <see cref="WavRecorder"/>, the mixer tick only copies its frame into a preallocated queue; a background writer
/// resamples it to 48 kHz, encodes 20 ms packets and appends whole pages, flushed as they fill, so a file cut off by a
/// crash still plays to its last page.
/// <para>
/// Silence is fed before the first sample so that the encoder's delay (its lookahead plus the resampler's) comes to a
/// whole number of 20 ms packets, announced as the pre-skip, and those first packets get a page of their own: a
/// remuxer drops that page from every segment after the first and joins the rest seamlessly, sample-exact, so
/// timeline offsets stay positions in the whole recording (<see cref="OggOpusConcatStream"/>).
/// </para>
/// </summary>
public sealed class OggOpusRecorder : ISegmentRecorder
{
    /// <summary>Packets per page: half a second, so a live reader (or a seek) is at most that far behind.</summary>
    public const int PacketsPerPage = 25;

    private const int Frame = OpusFormat.FrameSamples;

    private readonly FileStream file;
    private readonly int sampleRate;
    private readonly int frameSamples;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task writer;
    private readonly IOpusFrameEncoder encoder;
    private readonly Resampler? resampler;
    private readonly uint serial;
    private readonly MixFrameQueue queue;
    private readonly short[] mixFrame;
    private readonly short[] wideFrame;
    private readonly short[] pending = new short[Frame];
    // Room for the last page, which may take the few packets that push the encoder's delay out past PacketsPerPage.
    private readonly byte[] pageData = new byte[(PacketsPerPage + 4) * OpusFormat.MaxPacketBytes];
    private readonly int[] packetLengths = new int[PacketsPerPage + 4];
    private bool finishing;
    private readonly byte[] page = new byte[OggPage.MaxLength];
    private int pendingSamples;
    private int pagePackets;
    private int pageBytes;
    private uint sequence;
    private long packets;
    private long realSamples;
    private int closed;

    public OggOpusRecorder(string path, int sampleRate, int frameSamples, OpusCodecs codecs, RecordingOptions options, ILogger logger)
    {
        if (OpusFormat.SampleRate % sampleRate != 0 || frameSamples * OpusFormat.SampleRate / sampleRate % Frame != 0)
        {
            throw new ArgumentException($"The mix must be 8, 16 or 48 kHz in whole 20 ms frames, not {frameSamples} samples at {sampleRate} Hz.");
        }

        Path = path;
        this.sampleRate = sampleRate;
        this.frameSamples = frameSamples;
        this.logger = logger;
        queue = new MixFrameQueue(options.QueueFrames, frameSamples);
        mixFrame = new short[frameSamples];
        wideFrame = new short[frameSamples * OpusFormat.SampleRate / sampleRate];
        // No in-band FEC: a file loses no packets, so those bits go to the audio instead.
        encoder = codecs.CreateEncoder(new OpusEncoderSettings(codecs.Options.RecordingBitrate, codecs.Options.RecordingComplexity, InbandFec: false, ExpectedPacketLossPercent: 0));
        resampler = sampleRate == OpusFormat.SampleRate ? null : Resampler.Create(sampleRate, OpusFormat.SampleRate, frameSamples);
        var delay = encoder.Lookahead + (resampler?.DelaySamples ?? 0);
        PreSkip = (delay / Frame + 1) * Frame;
        serial = (uint)Random.Shared.Next();
        file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 16 * 1024);
        WriteHeaders();

        // The lead-in: silence that makes the encoder's delay a whole number of packets (PreSkip).
        pendingSamples = PreSkip - delay;
        writer = Task.Run(() => WriteLoopAsync(stopping.Token));
    }

    public string Path { get; }

    /// <summary>Samples at 48 kHz a player skips at the start (RFC 7845 section 4.2): whole packets here.</summary>
    public int PreSkip { get; }

    public long DroppedFrames => queue.Dropped;

    /// <summary>Mixer frames accepted so far.</summary>
    public long Frames => queue.Accepted;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames * frameSamples / sampleRate);

    public void WriteMix(ReadOnlySpan<short> mix)
    {
        if (mix.Length != frameSamples || Volatile.Read(ref closed) != 0)
        {
            return;
        }

        queue.Enqueue(mix);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref closed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await writer.ConfigureAwait(false);
        try
        {
            Drain();
            Finish();
        }
        catch (IOException exception)
        {
            RecordingLog.WriteFailed(logger, Path, exception);
        }

        await file.DisposeAsync().ConfigureAwait(false);
        encoder.Dispose();
        stopping.Dispose();
        queue.Dispose();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        while (await queue.WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                Drain();
            }
            catch (IOException exception)
            {
                RecordingLog.WriteFailed(logger, Path, exception);
            }
        }
    }

    private void WriteHeaders()
    {
        var head = OpusHeaderPackets.Head(PreSkip, sampleRate);
        var length = OggPage.Write(page, OggPage.BeginningOfStream, 0, serial, sequence++, head, [head.Length]);
        file.Write(page, 0, length);
        var tags = OpusHeaderPackets.Tags();
        length = OggPage.Write(page, 0, 0, serial, sequence++, tags, [tags.Length]);
        file.Write(page, 0, length);
        file.Flush();
    }

    private void Drain()
    {
        while (queue.TryDequeue(mixFrame))
        {
            ReadOnlySpan<short> wide = mixFrame;
            if (resampler is not null)
            {
                resampler.Process(mixFrame, wideFrame);
                wide = wideFrame;
            }

            realSamples += wide.Length;
            Feed(wide);
        }

        file.Flush();
    }

    /// <summary>Adds 48 kHz samples, encoding every whole packet.</summary>
    private void Feed(ReadOnlySpan<short> samples)
    {
        while (!samples.IsEmpty)
        {
            var take = Math.Min(samples.Length, Frame - pendingSamples);
            samples[..take].CopyTo(pending.AsSpan(pendingSamples));
            pendingSamples += take;
            samples = samples[take..];
            if (pendingSamples == Frame)
            {
                Encode();
            }
        }
    }

    private void Encode()
    {
        var length = encoder.Encode(pending, pageData.AsSpan(pageBytes, OpusFormat.MaxPacketBytes));
        pendingSamples = 0;
        packetLengths[pagePackets++] = length;
        pageBytes += length;
        packets++;

        // The lead-in packets (the pre-skip) get a page to themselves; then a page every PacketsPerPage packets.
        if ((packets * Frame == PreSkip && !(finishing && realSamples == 0)) || (pagePackets == PacketsPerPage && !finishing))
        {
            WritePage(packets * Frame, 0);
        }
    }

    private void WritePage(long granule, byte flags)
    {
        var length = OggPage.Write(page, flags, granule, serial, sequence++, pageData.AsSpan(0, pageBytes), packetLengths.AsSpan(0, pagePackets));
        file.Write(page, 0, length);
        pagePackets = 0;
        pageBytes = 0;
    }

    /// <summary>Pushes the last real samples out of the encoder with silence and ends the stream on their exact end.</summary>
    private void Finish()
    {
        var end = PreSkip + realSamples;
        finishing = true;
        Span<short> silence = stackalloc short[Frame];
        silence.Clear();
        while (packets * Frame < end)
        {
            Feed(silence[..(Frame - pendingSamples)]);
        }

        // The final granule may fall inside the last packet: players trim the rest (RFC 7845 section 4.5).
        WritePage(end, OggPage.EndOfStream);
        file.Flush();
    }
}
