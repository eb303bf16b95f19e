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
    // Six seconds, 60 chunks of 100 ms: under a parallel build (load average near 30 on two cores) only about a third
    // of the chunks have all three loudest at full level (senders and mixer stall), and 150 frames once gave just 9.
    private const int Frames = 300;

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
                () => Task.FromResult(listener.Heard.Length >= Frames * 4 / 5 * OpusFormat.FrameSamples), TestTimeouts.Default, "the listener to hear most frames");

            // The listener's last packets may still be in the receive path, and its two counters are read one after the
            // other: wait until they agree.
            var silent = await TestTimeouts.EventuallyAsync(
                () => Task.FromResult(Statistics(engine, "listener")),
                s => s.PacketsReceived >= 100 && s.AudioLevels == s.PacketsReceived, TestTimeouts.Default, "the silent leg's packets and their levels read");
            output.WriteLine($"listener: {silent.PacketsReceived} received, {silent.AudioLevels} levels, {silent.FramesDecoded} decodes; " +
                string.Join("; ", talkers.Select((t, i) => $"t{i}: {Statistics(engine, $"t{i}").FramesDecoded} decodes")));
            Assert.Equal(RtpAudioLevel.Silence, silent.LastAudioLevel);
            Assert.Equal(0, silent.FramesDecoded);

            // In 100 ms chunks: wherever the three loudest are all heard at full level, the two quietest are not heard
            // (a chunk is 5 ticks; when a stalled sender's packets are late, a quieter leg rightly takes its place for
            // those ticks, so chunks without all three are not judged). Counting chunks keeps this true under load.
            var heard = listener.Heard;
            var chunks = tones.Select(ChunkAmplitudesOf(heard)).ToArray();
            var judged = 0;
            for (var c = 0; c < chunks[0].Count; c++)
            {
                if (!Enumerable.Range(2, 3).All(i => chunks[i][c] > amplitudes[i] * 0.7))
                {
                    continue;
                }

                judged++;
                for (var i = 0; i < 2; i++)
                {
                    Assert.True(chunks[i][c] < amplitudes[i] * 0.45, $"{tones[i]} Hz (not among the three loudest) is heard at {chunks[i][c]:F0} in chunk {c}");
                }
            }

            Assert.True(judged >= 10, $"the three loudest were all heard at full level in only {judged} chunks");

            // The quietest was passed over undecoded most of the time; the loudest was decoded every tick.
            var quietDecodes = Statistics(engine, "t0").FramesDecoded;
            var loudDecodes = Statistics(engine, "t4").FramesDecoded;
            Assert.True(quietDecodes < loudDecodes / 2, $"t0 decoded {quietDecodes} frames, t4 {loudDecodes}");
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

    [Fact]
    public async Task A_ring_out_leg_reads_audio_levels_once_the_answer_names_the_extension()
    {
        var codecs = new OpusCodecs(new OpusOptions(), NullLogger.Instance);
        var basePort = TestRtpPorts.Block(4);
        var options = new MediaEngineOptions { BindAddress = "127.0.0.1", RtpPorts = new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 3 } };
        await using var engine = new ConferenceMediaEngine(Options.Create(options), TimeProvider.System, opusCodecs: codecs);
        await using var peer = new OpusLevelPeer(codecs);
        // As ConferenceDialer makes it: before the answer, no payload type and no extension are known.
        var leg = await engine.AddLegAsync(new MediaLegOptions("conf-ring-out", LegId.RingOut("levels"), peer.EndPoint, AudioCodec.Opus, null))
            .AsTask().WaitAsync(TestTimeouts.Default);
        try
        {
            leg.SetAudioFormat(AudioCodec.Opus, OpusLevelPeer.PayloadType, null, null, OpusLevelPeer.LevelExtensionId);
            await peer.SendAsync(leg.LocalRtp, 50, 0, 0).WaitAsync(TestTimeouts.Long);
            // The two counters are read one after the other while packets may still arrive: wait until they agree.
            var statistics = await TestTimeouts.EventuallyAsync(
                () => Task.FromResult(engine.FindLeg("conf-ring-out", LegId.RingOut("levels"))!.Statistics),
                s => s.PacketsReceived >= 40 && s.AudioLevels == s.PacketsReceived, TestTimeouts.Default, "every packet's level read");

            Assert.Equal(RtpAudioLevel.Silence, statistics.LastAudioLevel);
        }
        finally
        {
            await leg.DisposeAsync();
        }
    }

    private static async Task<IMediaLeg> AddLegAsync(ConferenceMediaEngine engine, string id, OpusLevelPeer peer) =>
        await engine.AddLegAsync(new MediaLegOptions(
            "conf-loudest", LegId.Inbound(id), peer.EndPoint, AudioCodec.Opus, null,
            PayloadType: OpusLevelPeer.PayloadType, AudioLevelExtensionId: OpusLevelPeer.LevelExtensionId)).AsTask().WaitAsync(TestTimeouts.Default);

    private static MediaLegStatistics Statistics(ConferenceMediaEngine engine, string id) =>
        engine.FindLeg("conf-loudest", LegId.Inbound(id))!.Statistics;

    private static Func<double, List<double>> ChunkAmplitudesOf(short[] samples) => tone => ChunkAmplitudes(samples, tone);

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
