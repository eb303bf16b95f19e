using System.Collections.Concurrent;
using Talko.Core.Calls;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Recording;
using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Engine;

/// <summary>Collects what the engine reports to its observers.</summary>
internal sealed class ObserverProbe : IConferenceMediaObserver
{
    private readonly TaskCompletionSource<RecordingResult> recording = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<string> Events { get; } = new();

    public ConcurrentQueue<(LegId LegId, TelephoneEvent Event)> TelephoneEvents { get; } = new();

    public Task<RecordingResult> Recording => recording.Task;

    public void OnLegJoined(string conferenceId, LegId legId) => Events.Enqueue($"joined {legId}");

    public void OnLegLeft(string conferenceId, LegId legId) => Events.Enqueue($"left {legId}");

    public void OnTalkingStarted(string conferenceId, LegId legId, TimeSpan offset) => Events.Enqueue($"talking {legId}");

    public void OnTalkingStopped(string conferenceId, LegId legId, TimeSpan offset) => Events.Enqueue($"quiet {legId}");

    public void OnTelephoneEvent(string conferenceId, LegId legId, TelephoneEvent telephoneEvent) =>
        TelephoneEvents.Enqueue((legId, telephoneEvent));

    public void OnRecordingCompleted(RecordingResult result) => recording.TrySetResult(result);
}
