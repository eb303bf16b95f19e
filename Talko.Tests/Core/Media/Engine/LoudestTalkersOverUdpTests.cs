using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Rtp;
using Talko.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Talko.Tests.Core.Media.Engine;

/// <summary>
/// Loudest-N mixing through the engine over real UDP (ADR 0930): Opus legs that send RFC 6464 levels, five of them
/// talking at different levels; a listener hears only the three loudest, and a leg whose every packet says silence is
/// never decoded.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class LoudestTalkersOverUdpTests(ITestOutputHelper output)
{
    private const int Frames = 150;

    [Fact]
    public async Task FiveTalkOnlyTheThreeLoudestAreHeardAndASilentLegIsNeverDecoded()
    {
        var codecs = new OpusCodecs(new OpusOptions(), NullLogger.Instance);
        var basePort = TestRtpPorts.Block(40);
        var options = new MediaEngineOptions
        {
            BindAddress = "127.0.0.1",
            RtpPorts = new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 39 },
        };
        options.Mixer.LoudestTalkers = 3;
        await using var engine = new ConferenceMediaEngine(Options.Create(options), TimeProvider.System, opusCodecs: codecs);

        // Quietest first, so joining order does not favour the loud ones.
        double[] amplitudes = [1000, 2000, 4000, 8000, 16000];
        double[] tones = [400, 700, 1000, 1300, 1600];
        var talkers = new List<(OpusLevelPeer Peer, IMediaLeg Leg)>();
        for (var i = 0; i < amplitudes.Length; i++)
        {
            var peer = new OpusLevelPeer(codecs);
            talkers.Add((peer, await AddLegAsync(engine, $"t{i}", peer)));
        }

        await using var listener = new OpusLevelPeer(codecs);
        var listenerLeg = await AddLegAsync(engine, "listener", listener);
        try
        {
            await Task.WhenAll(talkers
                .Select((t, i) => t.Peer.SendAsync(t.Leg.LocalRtp, Frames, tones[i], amplitudes[i]))
                .Append(listener.SendAsync(listenerLeg.LocalRtp, Frames, 0, 0))).WaitAsync(TestTimeouts.Long);
            await TestTimeouts.EventuallyAsync(
                () => Task.FromResult(listener.Heard.Length >= 120 * OpusFormat.FrameSamples), TestTimeouts.Default, "the listener to hear 120 frames");

            var silent = Statistics(engine, "listener");
            output.WriteLine($"listener: {silent.PacketsReceived} received, {silent.AudioLevels} levels, {silent.FramesDecoded} decodes; " +
                string.Join("; ", talkers.Select((t, i) => $"t{i}: {Statistics(engine, $"t{i}").FramesDecoded} decodes")));
            Assert.True(silent.PacketsReceived >= 100, $"the silent leg's packets arrived ({silent.PacketsReceived})");
            Assert.Equal(silent.PacketsReceived, silent.AudioLevels);
            Assert.Equal(RtpAudioLevel.Silence, silent.LastAudioLevel);
            Assert.Equal(0, silent.FramesDecoded);

            var heard = listener.Heard;
            for (var i = 0; i < tones.Length; i++)
            {
                var amplitudes100Ms = ChunkAmplitudes(heard, tones[i]);
                if (i >= 2)
                {
                    var full = amplitudes100Ms.Count(a => a > amplitudes[i] * 0.7);
                    Assert.True(full >= 10, $"{tones[i]} Hz (one of the three loudest) is heard at full level in only {full} chunks");
                }
                else
                {
                    // Left out from the start: at most a chunk at the start, while the loud ones' first packets were on their way.
                    var audible = amplitudes100Ms.Count(a => a > amplitudes[i] * 0.3);
                    Assert.True(audible <= 2, $"{tones[i]} Hz (not among the three loudest) is heard in {audible} chunks");
                }
            }

            // The two quietest were passed over undecoded nearly all the time; the loud ones were decoded every tick.
            Assert.True(Statistics(engine, "t0").FramesDecoded < Frames / 4, $"t0 decoded {Statistics(engine, "t0").FramesDecoded} frames");
            Assert.True(Statistics(engine, "t4").FramesDecoded > Frames / 2, $"t4 decoded {Statistics(engine, "t4").FramesDecoded} frames");
        }
        finally
        {
            foreach (var (peer, leg) in talkers)
            {
                await leg.DisposeAsync();
                await peer.DisposeAsync();
            }

            await listenerLeg.DisposeAsync();
        }
    }

    private static async Task<IMediaLeg> AddLegAsync(ConferenceMediaEngine engine, string id, OpusLevelPeer peer) =>
        await engine.AddLegAsync(new MediaLegOptions(
            "conf-loudest", LegId.Inbound(id), peer.EndPoint, AudioCodec.Opus, null,
            PayloadType: OpusLevelPeer.PayloadType, AudioLevelExtensionId: OpusLevelPeer.LevelExtensionId)).AsTask().WaitAsync(TestTimeouts.Default);

    private static MediaLegStatistics Statistics(ConferenceMediaEngine engine, string id) =>
        engine.FindLeg("conf-loudest", LegId.Inbound(id))!.Statistics;

    private static List<double> ChunkAmplitudes(short[] samples, double tone)
    {
        var chunk = OpusFormat.SampleRate / 10;
        var result = new List<double>();
        for (var offset = 0; offset + chunk <= samples.Length; offset += chunk)
        {
            result.Add(AudioSignals.Amplitude(samples.AsSpan(offset, chunk), tone, OpusFormat.SampleRate));
        }

        return result;
    }
}
