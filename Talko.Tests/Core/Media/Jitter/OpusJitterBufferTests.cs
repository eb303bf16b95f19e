using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Jitter;

namespace Talko.Tests.Core.Media.Jitter;

/// <summary>An Opus leg's playout under loss and reordering, judged on the decoded audio against a decoder that lost nothing.</summary>
public sealed class OpusJitterBufferTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Frame = OpusFormat.FrameSamples;
    private const uint FirstTimestamp = 4_294_000_000; // wraps past 2^32 within the test
    private readonly OpusCodecs codecs = new(new OpusOptions(), NullLogger.Instance);

    /// <summary>Voice-like audio (see OpusCodecTests) encoded with the default leg settings.</summary>
    private List<byte[]> Encode(int frames)
    {
        using var encoder = codecs.CreateEncoder();
        var pcm = new short[Frame];
        var packet = new byte[OpusFormat.MaxPacketBytes];
        var packets = new List<byte[]>();
        for (var n = 0; n < frames; n++)
        {
            for (var i = 0; i < Frame; i++)
            {
                var t = (double)((n * Frame) + i) / OpusFormat.SampleRate;
                pcm[i] = (short)((0.6 + (0.4 * Math.Sin(2 * Math.PI * 3 * t))) * ((4000 * Math.Sin(2 * Math.PI * 150 * t)) + (3000 * Math.Sin(2 * Math.PI * 300 * t)) + (2000 * Math.Sin(2 * Math.PI * 450 * t))));
            }

            packets.Add(packet[..encoder.Encode(pcm, packet)]);
        }

        return packets;
    }

    private short[][] Reference(List<byte[]> packets)
    {
        using var decoder = codecs.CreateDecoder();
        return [.. packets.Select(p =>
        {
            var frame = new short[Frame];
            decoder.Decode(p, frame);
            return frame;
        })];
    }

    /// <summary>Plays the first <paramref name="played"/> packets in time, then reads on with no packet arriving.</summary>
    private static void PlayThenStall(OpusJitterBuffer buffer, List<byte[]> packets, short[] frame, int played, int stalledReads)
    {
        for (var n = 0; n < played; n++)
        {
            buffer.Insert(Timestamp(n), packets[n]);
            buffer.Read(frame);
        }

        for (var n = 0; n < stalledReads; n++)
        {
            buffer.Read(frame);
        }
    }

    private static uint Timestamp(int n) => unchecked(FirstTimestamp + (uint)(n * Frame));

    [Fact]
    public void InOrderPacketsPlayExactlyWhatAPlainDecoderHearsAfterTheDepth()
    {
        var packets = Encode(100);
        var expected = Reference(packets);
        using var decoder = codecs.CreateDecoder();
        var buffer = new OpusJitterBuffer(decoder, depth: 3);
        var frame = new short[Frame];
        var played = new List<short[]>();
        for (var n = 0; n < packets.Count; n++)
        {
            Assert.Equal(JitterInsertResult.Accepted, buffer.Insert(Timestamp(n), packets[n]));
            var source = buffer.Read(frame);
            Assert.Equal(n < 3 ? OpusFrameSource.Silence : OpusFrameSource.Decoded, source);
            played.Add((short[])frame.Clone());
        }

        for (var n = 3; n < packets.Count; n++)
        {
            Assert.Equal(expected[n - 3], played[n]);
        }
    }

    [Fact]
    public void FivePercentLossIsRebuiltFromFecWithoutAGapAndReorderingIsAbsorbed()
    {
        var packets = Encode(500); // 10 s
        var expected = Reference(packets);
        var random = new Random(1605);
        var lost = Enumerable.Range(5, 490).Where(_ => random.NextDouble() < 0.05).Where((n, i) => true).ToHashSet();
        lost.RemoveWhere(n => lost.Contains(n - 1)); // single losses here; bursts are the next test
        Assert.InRange(lost.Count, 15, 35);

        using var decoder = codecs.CreateDecoder();
        var buffer = new OpusJitterBuffer(decoder, depth: 3);
        var frame = new short[Frame];
        var sources = new List<OpusFrameSource>();
        var recoveredSnr = new List<double>();
        for (var n = 0; n < packets.Count; n++)
        {
            // Every fourth pair arrives swapped as well.
            var order = n % 8 == 4 ? n + 1 : n % 8 == 5 ? n - 1 : n;
            if (!lost.Contains(order))
            {
                Assert.Equal(JitterInsertResult.Accepted, buffer.Insert(Timestamp(order), packets[order]));
            }

            var source = buffer.Read(frame);
            sources.Add(source);
            var playing = n - 3;
            if (playing < 0)
            {
                continue;
            }

            // No gap: every frame carries sound within 12 dB of the original's level (FEC is coarser than the frame it replaces).
            Assert.True(AudioSignals.Rms(frame) > AudioSignals.Rms(expected[playing]) / 4, $"frame {playing} ({source}) is near silent: {AudioSignals.Rms(frame):F0} against {AudioSignals.Rms(expected[playing]):F0}");
            if (source == OpusFrameSource.Recovered)
            {
                recoveredSnr.Add(SignalToErrorDb(expected[playing], frame));
            }
        }

        Assert.Equal(lost.Count(n => n < packets.Count - 4), sources.Count(s => s == OpusFrameSource.Recovered));
        Assert.DoesNotContain(OpusFrameSource.Concealed, sources);
        // Waveform closeness of the rebuilt frames (FEC is a coarser copy, and the decoder's state after a loss differs).
        var median = recoveredSnr.Order().ElementAt(recoveredSnr.Count / 2);
        output.WriteLine($"{lost.Count} frames lost of 500; rebuilt from FEC at {median:F1} dB median SNR (worst {recoveredSnr.Min():F1} dB)");
        Assert.True(median > 8, $"frames rebuilt from FEC are {string.Join(", ", recoveredSnr.Select(x => x.ToString("F1")))} dB from the original");
        Assert.Equal(lost.Count(n => n < packets.Count - 4), buffer.Statistics.Recovered);
    }

    [Fact]
    public void ABurstIsConcealedUntilTheFrameBeforeTheNextArrivalWhichFecRebuilds()
    {
        var packets = Encode(40);
        using var decoder = codecs.CreateDecoder();
        var buffer = new OpusJitterBuffer(decoder, depth: 2, maxConcealed: 5);
        var frame = new short[Frame];
        var sources = new List<OpusFrameSource>();
        for (var n = 0; n < packets.Count; n++)
        {
            if (n is < 20 or > 22)
            {
                buffer.Insert(Timestamp(n), packets[n]);
            }

            sources.Add(buffer.Read(frame));
        }

        // Frames 20-22 play on ticks 22-24: 20 and 21 have no successor yet, 22 is rebuilt from 23.
        Assert.Equal([OpusFrameSource.Decoded, OpusFrameSource.Concealed, OpusFrameSource.Concealed, OpusFrameSource.Recovered, OpusFrameSource.Decoded],
            sources[21..26]);
    }

    [Fact]
    public void ASenderThatStopsFallsSilentAfterTheConcealmentLimitAndAJumpResynchronises()
    {
        var packets = Encode(60);
        using var decoder = codecs.CreateDecoder();
        var buffer = new OpusJitterBuffer(decoder, depth: 2, capacity: 10, maxConcealed: 3);
        var frame = new short[Frame];
        for (var n = 0; n < 10; n++)
        {
            buffer.Insert(Timestamp(n), packets[n]);
            buffer.Read(frame);
        }

        var after = Enumerable.Range(0, 8).Select(_ => buffer.Read(frame)).ToList();
        Assert.Equal([OpusFrameSource.Decoded, OpusFrameSource.Decoded, OpusFrameSource.Concealed, OpusFrameSource.Concealed, OpusFrameSource.Concealed,
            OpusFrameSource.Silence, OpusFrameSource.Silence, OpusFrameSource.Silence], after);

        // Far ahead (a new talk spurt after a long pause) and far behind (a restarted sender) both restart playout.
        Assert.Equal(JitterInsertResult.Resynchronised, buffer.Insert(Timestamp(50), packets[50]));
        Assert.Equal(JitterInsertResult.Resynchronised, buffer.Insert(Timestamp(10), packets[10]));
        Assert.Equal(JitterInsertResult.Late, buffer.Insert(Timestamp(7), packets[7]));
        Assert.Equal(JitterInsertResult.Duplicate, buffer.Insert(Timestamp(10), packets[10]));
        // Playout restarts two frames (the depth) before the packet, in silence: nothing came before it to conceal.
        Assert.Equal(OpusFrameSource.Silence, buffer.Read(frame));
        Assert.Equal(OpusFrameSource.Silence, buffer.Read(frame));
        Assert.Equal(OpusFrameSource.Decoded, buffer.Read(frame));
    }

    [Fact]
    public void A_sender_whose_timestamps_fall_behind_playout_is_played_again_after_a_short_run_of_late_packets()
    {
        var packets = Encode(60);
        using var decoder = codecs.CreateDecoder();
        var buffer = new OpusJitterBuffer(decoder, depth: 2, capacity: 25);
        var frame = new short[Frame];
        // The sender's capture stalls for 160 ms while playout goes on, then it carries on from where it stopped: its
        // timestamps now run 8 frames behind playout, for good (less than the capacity, so no packet looks like a jump).
        PlayThenStall(buffer, packets, frame, played: 10, stalledReads: 8);

        var inserted = new List<JitterInsertResult>();
        var played = new List<OpusFrameSource>();
        for (var n = 10; n < 60; n++)
        {
            inserted.Add(buffer.Insert(Timestamp(n), packets[n]));
            played.Add(buffer.Read(frame));
        }

        Assert.Equal(Enumerable.Repeat(JitterInsertResult.Late, OpusJitterBuffer.LateRunToResynchronise - 1), inserted.Take(OpusJitterBuffer.LateRunToResynchronise - 1));
        Assert.Equal(JitterInsertResult.Resynchronised, inserted[OpusJitterBuffer.LateRunToResynchronise - 1]);
        Assert.All(inserted.Skip(OpusJitterBuffer.LateRunToResynchronise), result => Assert.Equal(JitterInsertResult.Accepted, result));
        Assert.All(played.Skip(OpusJitterBuffer.LateRunToResynchronise + 2), source => Assert.Equal(OpusFrameSource.Decoded, source));
    }

    [Fact]
    public void A_held_up_burst_released_at_once_drops_its_late_packets_without_delaying_playout()
    {
        var packets = Encode(60);
        using var decoder = codecs.CreateDecoder();
        var buffer = new OpusJitterBuffer(decoder, depth: 2, capacity: 25);
        var frame = new short[Frame];
        // The network holds 8 packets back for 160 ms while playout goes on, then delivers them at once.
        PlayThenStall(buffer, packets, frame, played: 10, stalledReads: 8);

        var burst = Enumerable.Range(10, 8).Select(n => buffer.Insert(Timestamp(n), packets[n])).ToList();
        Assert.Equal([.. Enumerable.Repeat(JitterInsertResult.Late, 6), JitterInsertResult.Accepted, JitterInsertResult.Accepted], burst);

        // Playout carries on where it was: the next packets are played in time, no resynchronisation.
        var played = new List<OpusFrameSource>();
        for (var n = 18; n < 40; n++)
        {
            Assert.Equal(JitterInsertResult.Accepted, buffer.Insert(Timestamp(n), packets[n]));
            played.Add(buffer.Read(frame));
        }

        Assert.All(played, source => Assert.Equal(OpusFrameSource.Decoded, source));
        Assert.Equal(0, buffer.Statistics.Resynchronisations);
    }

    [Fact]
    public void InsertAndReadAllocateNothing()
    {
        var packets = Encode(200);
        using var decoder = codecs.CreateDecoder();
        var buffer = new OpusJitterBuffer(decoder);
        var frame = new short[Frame];
        buffer.Insert(Timestamp(0), packets[0]);
        buffer.Read(frame);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var n = 1; n < packets.Count; n++)
        {
            if (n % 10 != 0)
            {
                buffer.Insert(Timestamp(n), packets[n]);
            }

            buffer.Read(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double SignalToErrorDb(ReadOnlySpan<short> expected, ReadOnlySpan<short> actual)
    {
        double signal = 0, error = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            signal += (double)expected[i] * expected[i];
            error += Math.Pow(expected[i] - actual[i], 2);
        }

        return 10 * Math.Log10(signal / Math.Max(error, 1));
    }
}
