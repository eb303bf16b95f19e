using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Rtp;
using Talko.Core.Media.WebRtc.Sdp;
using Talko.Tests.Core.Media.WebRtc.Sdp;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Media.Engine;

/// <summary>
/// WebRTC legs in the media engine (ADR 0721): the same leg as plain RTP with a WebRTC transport. A leg whose client never
/// completes ICE loses consent and leaves the conference as a SIP leg that hung up would; its port goes back to the pool.
/// (Audio both ways with a real browser: Talko.Tests.Web.WebRtc.BrowserCallTests.)
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class WebRtcLegTests
{
    [Fact]
    public async Task A_leg_whose_consent_lapses_leaves_the_conference_and_frees_its_port()
    {
        var probe = new ObserverProbe();
        var basePort = TestRtpPorts.Block(4);
        await using var engine = new ConferenceMediaEngine(
            Options.Create(new MediaEngineOptions
            {
                RtpPorts = new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 3 },
                WebRtc = new() { ConsentTimeout = TimeSpan.FromSeconds(5), HandshakeTimeout = TimeSpan.FromMinutes(5) },
            }),
            TimeProvider.System,
            observers: [probe]);

        var legId = LegId.WebRtc("silent");
        var (leg, answer) = engine.AddWebRtcLeg("conf-webrtc", legId, WebRtcSdpOffer.Parse(WebRtcSdpTests.BrowserOffer(), 16 * 1024));
        Assert.Contains($" {leg.LocalRtp.Port} typ host", answer, StringComparison.Ordinal);
        Assert.Equal("webrtc:silent", leg.Name);
        Assert.NotNull(leg.WebRtc);
        Assert.True(leg.SetMuted(true));
        Assert.True(leg.IsMuted);

        // Nobody sends a check: consent lapses after 5 s and the leg leaves on its own.
        await leg.Closed.WaitAsync(TestTimeouts.Long);
        await TestTimeouts.EventuallyAsync(() => Task.FromResult(probe.Events.Contains("left webrtc:silent")), TestTimeouts.Default, "the leg's departure");
        Assert.Null(engine.FindLeg("conf-webrtc", legId));
        Assert.Equal(0, engine.Ports.PairsInUse);
    }
}
