using Talko.Core.Calls;

namespace Talko.Core.Sip.Conferencing;

/// <summary>
/// Hears legs join conferences with their party known: an answered INVITE once its dialog is tracked (with the
/// authenticated caller), a ring once the device answered (with the user and device rung). Called on the signalling
/// path: return at once. The leg's departure is the media engine's to report (it sees every way a leg ends).
/// </summary>
public interface IConferenceLegObserver
{
    void OnLegJoined(ConferenceLegJoined joined);
}

/// <summary>A leg of <paramref name="ConferenceId"/> with the user and device on it.</summary>
public sealed record ConferenceLegJoined(string ConferenceId, LegId LegId, string UserId, string? DeviceId);

/// <summary>The party on a leg: who called in, or whom the engine rang.</summary>
public sealed record ConferenceParty(string UserId, string? DeviceId);
