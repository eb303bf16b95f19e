using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Recording;

/// <summary>One recording segment's audio writer (<see cref="WavRecorder"/> or <see cref="OggOpusRecorder"/>), as <see cref="CallRecording"/> drives it.</summary>
internal interface ISegmentRecorder : IMixSink, IAsyncDisposable
{
    string Path { get; }

    TimeSpan Duration { get; }

    long DroppedFrames { get; }
}
