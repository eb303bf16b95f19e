using Talko.Core.Calls;
using Talko.Core.Media.Recording;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>
/// Hears what happens in conferences (register any number in DI). Talking and telephone-event
/// callbacks run on the media threads: return quickly and hand heavy work elsewhere. Offsets are from
/// the conference's first mixer tick, which is also the start of its recording.
/// </summary>
public interface IConferenceMediaObserver
{
    void OnLegJoined(string conferenceId, LegId legId)
    {
    }

    void OnLegLeft(string conferenceId, LegId legId)
    {
    }

    void OnTalkingStarted(string conferenceId, LegId legId, TimeSpan offset)
    {
    }

    void OnTalkingStopped(string conferenceId, LegId legId, TimeSpan offset)
    {
    }

    /// <summary>A completed telephone event (RFC 4733 end bit), reported once even though the end packet repeats.</summary>
    void OnTelephoneEvent(string conferenceId, LegId legId, TelephoneEvent telephoneEvent)
    {
    }

    /// <summary>
    /// A conference opened with recording on: its audio is being written at <paramref name="audioPath"/> (readable while it
    /// grows: Ogg Opus page by page, a WAV header every <see cref="RecordingOptions.HeaderUpdateInterval"/>). Called just before the first tick.
    /// </summary>
    void OnRecordingStarted(string conferenceId, string audioPath)
    {
    }

    /// <summary>The conference's last leg left and its recording files are complete.</summary>
    void OnRecordingCompleted(RecordingResult recording)
    {
    }
}
