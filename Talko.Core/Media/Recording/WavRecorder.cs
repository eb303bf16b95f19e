using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Recording;

/// <summary>
/// Writes the conference mix to a 16-bit mono WAV file as the call goes. The mixer tick only copies the
/// frame into a preallocated queue; a background writer appends it to the file and rewrites the header
/// sizes every <see cref="RecordingOptions.HeaderUpdateInterval"/> and on close, so a file cut off by a
/// crash still plays up to its last header update.
/// </summary>
public sealed class WavRecorder : ISegmentRecorder
{
    private readonly FileStream file;
    private readonly int sampleRate;
    private readonly int frameSamples;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan headerUpdateInterval;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task writer;
    private readonly MixFrameQueue queue;
    private readonly short[] frame;
    private long lastHeaderUpdate;
    private long dataLength;
    private int closed;

    public WavRecorder(string path, int sampleRate, int frameSamples, RecordingOptions options, TimeProvider timeProvider, ILogger logger)
    {
        Path = path;
        this.sampleRate = sampleRate;
        this.frameSamples = frameSamples;
        this.timeProvider = timeProvider;
        this.logger = logger;
        headerUpdateInterval = options.HeaderUpdateInterval;
        queue = new MixFrameQueue(options.QueueFrames, frameSamples);
        file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
        Span<byte> header = stackalloc byte[WavFormat.HeaderLength];
        WavFormat.WriteHeader(header, sampleRate, 1, 0);
        file.Write(header);
        file.Flush();
        frame = new short[frameSamples];
        lastHeaderUpdate = timeProvider.GetTimestamp();
        writer = Task.Run(() => WriteLoopAsync(stopping.Token));
    }

    public string Path { get; }

    public long DroppedFrames => queue.Dropped;

    /// <summary>Frames accepted so far; duration = frames x frame length.</summary>
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
        DrainToFile();
        UpdateHeader();
        await file.DisposeAsync().ConfigureAwait(false);
        stopping.Dispose();
        queue.Dispose();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        while (await queue.WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                DrainToFile();
                if (timeProvider.GetElapsedTime(lastHeaderUpdate) >= headerUpdateInterval)
                {
                    UpdateHeader();
                    lastHeaderUpdate = timeProvider.GetTimestamp();
                }
            }
            catch (IOException exception)
            {
                RecordingLog.WriteFailed(logger, Path, exception);
            }
        }
    }

    private void DrainToFile()
    {
        // WAV is little-endian, as is every platform .NET runs on here.
        var bytes = MemoryMarshal.AsBytes(frame.AsSpan());
        while (queue.TryDequeue(frame))
        {
            file.Write(bytes);
            dataLength += bytes.Length;
        }
    }

    private void UpdateHeader()
    {
        Span<byte> header = stackalloc byte[WavFormat.HeaderLength];
        WavFormat.WriteHeader(header, sampleRate, 1, dataLength);
        var end = file.Position;
        file.Position = 0;
        file.Write(header);
        file.Position = end;
        file.Flush(flushToDisk: false);
    }
}
