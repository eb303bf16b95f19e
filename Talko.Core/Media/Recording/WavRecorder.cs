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
public sealed class WavRecorder : IMixSink, IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly FileStream file;
    private readonly int sampleRate;
    private readonly int frameSamples;
    private readonly short[] queue;
    private readonly int queueFrames;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan headerUpdateInterval;
    private readonly ILogger logger;
    private readonly SemaphoreSlim framesReady = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task writer;
    private readonly byte[] frameBytes;
    private long lastHeaderUpdate;
    private long enqueued;
    private long dequeued;
    private long droppedFrames;
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
        queueFrames = options.QueueFrames;
        queue = new short[queueFrames * frameSamples];
        file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
        Span<byte> header = stackalloc byte[WavFormat.HeaderLength];
        WavFormat.WriteHeader(header, sampleRate, 1, 0);
        file.Write(header);
        file.Flush();
        frameBytes = new byte[frameSamples * sizeof(short)];
        lastHeaderUpdate = timeProvider.GetTimestamp();
        writer = Task.Run(() => WriteLoopAsync(stopping.Token));
    }

    public string Path { get; }

    public long DroppedFrames => Interlocked.Read(ref droppedFrames);

    /// <summary>Frames accepted so far; duration = frames x frame length.</summary>
    public long Frames => Interlocked.Read(ref enqueued);

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames * frameSamples / sampleRate);

    public void WriteMix(ReadOnlySpan<short> mix)
    {
        if (mix.Length != frameSamples || Volatile.Read(ref closed) != 0)
        {
            return;
        }

        lock (gate)
        {
            if (enqueued - dequeued >= queueFrames)
            {
                droppedFrames++;
                return;
            }

            mix.CopyTo(queue.AsSpan((int)(enqueued % queueFrames) * frameSamples, frameSamples));
            enqueued++;
        }

        framesReady.Release();
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
        framesReady.Dispose();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await framesReady.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

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
        var frame = frameBytes;
        while (true)
        {
            lock (gate)
            {
                if (dequeued == enqueued)
                {
                    return;
                }

                var samples = queue.AsSpan((int)(dequeued % queueFrames) * frameSamples, frameSamples);

                // WAV is little-endian, as is every platform .NET runs on here.
                MemoryMarshal.AsBytes(samples).CopyTo(frame);
                dequeued++;
            }

            file.Write(frame);
            dataLength += frame.Length;
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
