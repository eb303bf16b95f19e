using Talko.Core.Media.WebRtc;

namespace Talko.Core.Media.Engine;

/// <summary>What only a WebRTC leg has: its ICE/DTLS/SRTP transport and a mute the client controls over the hub.</summary>
public sealed partial class MediaLeg
{
    /// <summary>The leg's WebRTC transport (ICE state, DTLS session, drop counters); null for a plain RTP leg.</summary>
    public WebRtcTransport? WebRtc => (transport as WebRtcMediaLegTransport)?.Transport;

    internal WebRtcMediaLegTransport? WebRtcLegTransport => transport as WebRtcMediaLegTransport;

    /// <summary>Whether the client muted this WebRTC leg (its audio is dropped before the mix); false for plain RTP legs.</summary>
    public bool IsMuted => transport is WebRtcMediaLegTransport { Muted: true };

    /// <summary>Completes once the leg has stopped and its sockets are closed (only WebRTC legs report it; others complete at once).</summary>
    public Task Closed => (transport as WebRtcMediaLegTransport)?.Closed ?? Task.CompletedTask;

    /// <summary>Mutes or unmutes a WebRTC leg; false for a plain RTP leg (a SIP device mutes itself or holds).</summary>
    public bool SetMuted(bool muted)
    {
        if (transport is not WebRtcMediaLegTransport webRtc)
        {
            return false;
        }

        webRtc.Muted = muted;
        return true;
    }
}
