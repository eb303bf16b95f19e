using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media.Recording;

using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Media.Recording;

public sealed class WavRecorderTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "talko-wav-" + Guid.NewGuid().ToString("N"));

    public WavRecorderTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task ClosedFileHasAHeaderAndDurationSoxAgreesWith()
    {
        var path = Path.Combine(directory, "mix.wav");
        var recorder = new WavRecorder(path, 8000, 160, new RecordingOptions(), TimeProvider.System, NullLogger.Instance);
        var frame = new short[160];
        for (var n = 0; n < 150; n++)
        {
            AudioSignals.Tone(frame, 440, 10000, n * 160L);
            recorder.WriteMix(frame);
        }

        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal(44 + (150 * 320), bytes.Length);
        Assert.Equal("RIFF"u8.ToArray(), bytes[..4]);
        Assert.Equal(bytes.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal("WAVEfmt "u8.ToArray(), bytes[8..16]);
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(20))); // PCM
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(22))); // mono
        Assert.Equal(8000, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(16000, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(34)));
        Assert.Equal(150 * 320, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40)));

        Assert.Equal(3.0, await Sox.DurationSecondsAsync(path), 3);
        Assert.Equal("8000", await Sox.InfoAsync("-r", path));
        Assert.Equal("1", await Sox.InfoAsync("-c", path));
        Assert.Equal("16", await Sox.InfoAsync("-b", path));

        var samples = new short[150 * 160];
        Buffer.BlockCopy(bytes, 44, samples, 0, samples.Length * 2);
        Assert.InRange(AudioSignals.Amplitude(samples, 440), 9500, 10500);
    }

    [Fact]
    public async Task HeaderIsFixedUpWhileRecordingSoAnUnclosedFilePlays()
    {
        var time = new FakeTimeProvider();
        var path = Path.Combine(directory, "partial.wav");
        var recorder = new WavRecorder(path, 8000, 160, new RecordingOptions { HeaderUpdateInterval = TimeSpan.FromSeconds(1) }, time, NullLogger.Instance);
        var frame = new short[160];
        for (var n = 0; n < 50; n++)
        {
            recorder.WriteMix(frame);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        recorder.WriteMix(frame);

        var dataLength = await TestTimeouts.EventuallyAsync(() => Task.FromResult(ReadDataLength(path)), length => length >= 50 * 320,
            TimeSpan.FromSeconds(10), "the header to cover the first 50 frames");

        // The header covers what was written when the interval passed: at least the first 50 frames.
        Assert.InRange(dataLength, 50 * 320, 51 * 320);
        Assert.Equal(0, dataLength % 320);
        Assert.Equal(dataLength / 16000.0, await Sox.DurationSecondsAsync(path), 3);
        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CallRecordingWritesWavAndTimelineNamedByFormat()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var options = new RecordingOptions { Directory = directory, FileNameFormat = "call-{conference}-{start}", Format = RecordingFormat.Wav };
        var recording = CallRecording.Start("team/42", 8000, 160, options, time, NullLogger.Instance);
        var second = CallRecording.Start("team/42", 8000, 160, options, time, NullLogger.Instance);
        Assert.NotEqual(recording.AudioPath, second.AudioPath);
        await second.DisposeAsync();

        for (var n = 0; n < 100; n++)
        {
            recording.WriteMix(new short[160]);
        }

        recording.Timeline.Started("alice", TimeSpan.FromMilliseconds(200));
        recording.Timeline.Stopped("alice", TimeSpan.FromMilliseconds(900));
        recording.Timeline.Started("bob", TimeSpan.FromMilliseconds(1500));
        var result = await recording.CompleteAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Path.Combine(directory, "call-team_42-20260304T050607000Z.wav"), result.AudioPath);
        Assert.EndsWith(".talkers.json", result.TimelinePath, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Duration);
        var document = TalkerTimeline.FromJson(await File.ReadAllTextAsync(result.TimelinePath));
        Assert.NotNull(document);
        Assert.Equal("team/42", document.ConferenceId);
        Assert.Equal(2000, document.DurationMs);
        Assert.Equal(
            [new TalkerSegment("alice", 200, 900), new TalkerSegment("bob", 1500, 2000)],
            document.Segments);
        Assert.Contains("\"legId\": \"alice\"", await File.ReadAllTextAsync(result.TimelinePath), StringComparison.Ordinal);
    }

    private static int ReadDataLength(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var header = new byte[44];
        return stream.Read(header) == 44 ? BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(40)) : 0;
    }
}
