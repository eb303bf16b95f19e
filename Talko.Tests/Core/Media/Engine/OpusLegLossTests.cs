using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Engine.Audio;
using Talko.Core.Media.Jitter;
using Talko.Core.Media.Mixing;
using Talko.Tests.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Engine;

/// <summary>
/// An Opus leg's receive path (<see cref="InboundAudio"/>) in a 48 kHz mixer with 5 % of its packets lost on the way:
/// the other participants hear its tone without gaps, rebuilt from in-band FEC where the next packet came and concealed
/// where it did not. Packets and ticks are interleaved by the test, so no clock can stall it.
/// </summary>
public class OpusLegLossTests
{
    private const int Frame = OpusFormat.FrameSamples;

    [Fact]
    public void FivePercentLossIsHeardWithoutGaps()
    {
        var codecs = new OpusCodecs(new OpusOptions(), NullLogger.Instance);
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions(), codecs: codecs);
        using var inbound = InboundAudio.Create(
            LegAudioFormat.For(AudioCodec.Opus, 111, 32000, null), new JitterBufferOptions(), codecs, new FakeTimeProvider());
        var speaker = new InboundParticipant("speaker", inbound);
        var opusListener = new FakeParticipant("opus", AudioCodec.Opus, 0) { Speaking = _ => false };
        var phone = new FakeParticipant("phone", AudioCodec.Pcmu, 0) { Speaking = _ => false };
        mixer.Add(speaker);
        mixer.Add(opusListener);
        mixer.Add(phone);

        // The sender: a steady vowel (harmonics of 150 Hz: SILK spends FEC only on frames its voice detector calls
        // active, and a pure tone is not one) through its own encoder (FEC on, as Talko asks in SDP), every 20th packet lost,
        // including pairs so that concealment (no next packet) is exercised as well as FEC.
        using var encoder = codecs.CreateEncoder(new OpusEncoderSettings(32000, 5, InbandFec: true, ExpectedPacketLossPercent: 10));
        var pcm = new short[Frame];
        var packet = new byte[OpusFormat.MaxPacketBytes];
        const int Frames = 400;
        var lost = 0;
        uint timestamp = 123_456;
        for (var n = 0; n < Frames; n++)
        {
            Vowel(pcm, n);
            var length = encoder.Encode(pcm, packet);
            var drop = n > 20 && (n % 20 == 7 || n % 100 == 58 || n % 100 == 59);
            if (drop)
            {
                lost++;
            }
            else
            {
                inbound.Insert(timestamp, packet.AsSpan(0, length));
            }

            timestamp += Frame;
            mixer.Tick();
        }

        var statistics = ((OpusInboundAudio)inbound).OpusStatistics;
        Assert.InRange(lost, Frames * 4 / 100, Frames * 7 / 100);
        Assert.True(statistics.Recovered > 0, $"no frame was rebuilt from FEC ({statistics})");
        Assert.True(statistics.Concealed > 0, $"no frame was concealed ({statistics})");

        AssertNoGaps(opusListener.Heard.ToArray(), OpusFormat.SampleRate, "the Opus listener");
        AssertNoGaps(phone.Heard.ToArray(), 8000, "the G.711 listener");
    }

    private static void Vowel(Span<short> frame, int index)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            var t = (double)((index * Frame) + i) / OpusFormat.SampleRate;
            frame[i] = (short)((4000 * Math.Sin(2 * Math.PI * 150 * t)) + (3000 * Math.Sin(2 * Math.PI * 300 * t))
                + (2000 * Math.Sin(2 * Math.PI * 450 * t)) + (1000 * Math.Sin(2 * Math.PI * 900 * t)));
        }
    }

    /// <summary>
    /// After start-up, no 20 ms of what was heard falls below a quarter of its usual level (a lost frame played as
    /// silence would be near zero; FEC and concealment measured here dip to about 40-55 %, the two codec passes included).
    /// </summary>
    private static void AssertNoGaps(short[] heard, int sampleRate, string who)
    {
        var frame = sampleRate / 50;
        var levels = new List<double>();
        for (var start = 20 * frame; start + frame <= heard.Length; start += frame)
        {
            levels.Add(AudioSignals.Rms(heard.AsSpan(start, frame)));
        }

        var typical = levels.Order().ElementAt(levels.Count / 2);
        Assert.True(typical > 2500, $"{who} hears the vowel at RMS {typical:F0} only");
        var weakest = levels.Select((level, index) => (level, index)).MinBy(x => x.level);
        Assert.True(weakest.level > typical / 4, $"{who} heard a gap: frame {weakest.index + 20} at RMS {weakest.level:F0} against {typical:F0}");
    }

    /// <summary>A leg as the mixer sees it: frames from the leg's receive path, and what it is sent is dropped.</summary>
    private sealed class InboundParticipant(string id, InboundAudio inbound) : IMixerParticipant
    {
        public string Id { get; } = id;

        public SharedMixKey Encoding { get; } = new(AudioCodec.Opus, 32000);

        public bool ReadFrame(Span<short> frame) => inbound.Read(frame);

        public void WriteFrame(ReadOnlySpan<byte> encoded)
        {
        }
    }
}
