using System.Threading.Channels;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Recording;
using Talko.Core.Sip.Conferencing;

namespace Talko.Core.Calls;

/// <summary>
/// Where the SIP and media engines report what happens in calls: it turns their callbacks (conference ids as text,
/// on the engines' threads) into <see cref="CallEvent"/>s on one channel, in the order they were reported, for the
/// calls feature to read. It depends on nothing, so the engines and the calls feature both depend on it and not on
/// each other. Conferences whose id is not a call id (none in Talko) are not reported.
/// </summary>
public sealed class CallEventSink(TimeProvider time) : IConferenceMediaObserver, IConferenceLegObserver
{
    private readonly Channel<CallEvent> events = Channel.CreateUnbounded<CallEvent>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The events, for their one reader.</summary>
    public ChannelReader<CallEvent> Reader => events.Reader;

    /// <summary>No more events (the host stops); the reader drains what is left.</summary>
    public void Complete() => events.Writer.TryComplete();

    void IConferenceLegObserver.OnLegJoined(ConferenceLegJoined joined)
    {
        if (CallId.TryParse(joined.ConferenceId, out var callId) && Guid.TryParse(joined.UserId, out var userId))
        {
            Guid? deviceId = Guid.TryParse(joined.DeviceId, out var device) ? device : null;
            events.Writer.TryWrite(new LegJoined(callId, joined.LegId, userId, deviceId, time.GetUtcNow()));
        }
    }

    void IConferenceMediaObserver.OnLegLeft(string conferenceId, LegId legId) =>
        Write(conferenceId, callId => new LegLeft(callId, legId));

    void IConferenceMediaObserver.OnTalkingStarted(string conferenceId, LegId legId, TimeSpan offset) =>
        Write(conferenceId, callId => new TalkingChanged(callId, legId, true));

    void IConferenceMediaObserver.OnTalkingStopped(string conferenceId, LegId legId, TimeSpan offset) =>
        Write(conferenceId, callId => new TalkingChanged(callId, legId, false));

    void IConferenceMediaObserver.OnRecordingStarted(string conferenceId, string audioPath) =>
        Write(conferenceId, callId => new SegmentOpened(callId, audioPath, time.GetUtcNow()));

    void IConferenceMediaObserver.OnRecordingCompleted(RecordingResult recording) =>
        Write(recording.ConferenceId, callId => new SegmentClosed(callId, recording));

    private void Write(string conferenceId, Func<CallId, CallEvent> create)
    {
        if (CallId.TryParse(conferenceId, out var callId))
        {
            events.Writer.TryWrite(create(callId));
        }
    }
}
