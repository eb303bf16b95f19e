using System.Numerics;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Jitter;

/// <summary>
/// An adaptive playout buffer of decoded samples, indexed by RTP timestamp so that reordered packets fall
/// into place and duplicates are recognised. Its target depth follows the measured interarrival jitter
/// (RFC 3550 section 6.4.1) within the configured bounds: it refills after an underrun and drops a frame
/// when it holds well over its target. Missing frames are concealed by repeating the last one, fading.
/// Insert (receive loop) and Read (mixer tick) may run on different threads.
/// </summary>
public sealed class JitterBuffer
{
    private readonly Lock gate = new();
    private readonly TimeProvider timeProvider;
    private readonly int frameSamples;
    private readonly int sampleRate;
    private readonly int minDepth;
    private readonly int maxDepth;
    private readonly double jitterMultiplier;
    private readonly int maxConcealedFrames;
    private readonly int shrinkAfterFrames;
    private readonly short[] ring;
    private readonly bool[] filled;
    private readonly int mask;
    private readonly short[] lastFrame;
    private readonly long originTimestamp;

    private InterarrivalJitter jitter;
    private bool started;
    private bool playing;
    private long readPosition;
    private long newestEnd;
    private int targetDepth;
    // Starts exhausted so that nothing is "concealed" before the first received frame.
    private int concealedRun;
    private int excessRun;

    private long accepted;
    private long rejected;
    private long duplicates;
    private long late;
    private long resynchronisations;
    private long concealedFrames;
    private long underruns;
    private long shrinks;

    public JitterBuffer(JitterBufferOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.timeProvider = timeProvider;
        frameSamples = options.FrameSamples;
        sampleRate = options.SampleRate;
        minDepth = ToSamples(options.MinDepth);
        maxDepth = ToSamples(options.MaxDepth);
        jitterMultiplier = options.JitterMultiplier;
        maxConcealedFrames = options.MaxConcealedFrames;
        shrinkAfterFrames = options.ShrinkAfterFrames;
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)ToSamples(options.Capacity));
        ring = new short[capacity];
        filled = new bool[capacity];
        mask = capacity - 1;
        lastFrame = new short[frameSamples];
        targetDepth = Math.Max(minDepth, frameSamples);
        targetDepth = Math.Min(targetDepth, Math.Max(maxDepth, frameSamples));
        originTimestamp = timeProvider.GetTimestamp();
        concealedRun = maxConcealedFrames;
    }

    public int FrameSamples => frameSamples;

    public JitterBufferStatistics Statistics
    {
        get
        {
            lock (gate)
            {
                return new JitterBufferStatistics(
                    accepted, rejected, duplicates, late, resynchronisations, concealedFrames, underruns, shrinks,
                    targetDepth, started ? (int)Math.Max(0, newestEnd - readPosition) : 0, jitter.Value);
            }
        }
    }

    /// <summary>Adds decoded samples whose first sample has RTP timestamp <paramref name="timestamp"/>.</summary>
    public JitterInsertResult Insert(uint timestamp, ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return JitterInsertResult.Duplicate;
        }

        if (samples.Length > ring.Length / 2)
        {
            lock (gate)
            {
                rejected++;
            }

            return JitterInsertResult.TooLong;
        }

        var arrival = (long)Math.Round(timeProvider.GetElapsedTime(originTimestamp).TotalSeconds * sampleRate);
        lock (gate)
        {
            var result = JitterInsertResult.Accepted;
            if (!started)
            {
                Restart(timestamp);
            }

            // Unwrap against the newest timestamp: a signed 32-bit distance handles wraparound.
            var extended = newestEnd + (int)(timestamp - (uint)newestEnd);
            if (!playing && newestEnd <= readPosition)
            {
                // Refilling after an underrun (or a talk-spurt gap): play from this packet on rather than
                // replaying the gap as silence, which would only add delay.
                readPosition = extended;
                newestEnd = extended;
            }

            var offset = extended - readPosition;
            if (offset + samples.Length <= 0)
            {
                late++;
                return JitterInsertResult.Late;
            }

            if (offset + samples.Length > ring.Length)
            {
                resynchronisations++;
                Restart(timestamp);
                extended = readPosition;
                offset = 0;
                result = JitterInsertResult.Resynchronised;
            }

            if (offset < 0)
            {
                samples = samples[(int)-offset..];
                extended = readPosition;
            }

            if (IsAllFilled(extended, samples.Length))
            {
                duplicates++;
                return JitterInsertResult.Duplicate;
            }

            // At most two contiguous runs of the ring: copy them as blocks.
            var start = (int)(extended & mask);
            var firstRun = Math.Min(samples.Length, ring.Length - start);
            samples[..firstRun].CopyTo(ring.AsSpan(start));
            filled.AsSpan(start, firstRun).Fill(true);
            samples[firstRun..].CopyTo(ring);
            filled.AsSpan(0, samples.Length - firstRun).Fill(true);

            newestEnd = Math.Max(newestEnd, extended + samples.Length);
            jitter.Update(arrival, extended);
            targetDepth = Math.Clamp(frameSamples + (int)Math.Round(jitterMultiplier * jitter.Value), minDepth, maxDepth);
            accepted++;
            return result;
        }
    }

    /// <summary>Takes the next <see cref="FrameSamples"/> samples for the mixer.</summary>
    public JitterFrameKind Read(Span<short> frame)
    {
        if (frame.Length != frameSamples)
        {
            throw new ArgumentException($"Frames are {frameSamples} samples.", nameof(frame));
        }

        lock (gate)
        {
            if (!started)
            {
                frame.Clear();
                return JitterFrameKind.Silence;
            }

            var depth = newestEnd - readPosition;
            if (!playing)
            {
                if (depth < targetDepth)
                {
                    return Conceal(frame, advance: false);
                }

                playing = true;
            }

            excessRun = depth > targetDepth + (2 * frameSamples) ? excessRun + 1 : 0;
            if (excessRun >= shrinkAfterFrames)
            {
                // Well over target for a while (not just a momentary burst): drop the oldest frame to cut
                // delay back towards what the measured jitter needs.
                excessRun = 0;
                ClearRange(readPosition, frameSamples);
                readPosition += frameSamples;
                shrinks++;
                depth -= frameSamples;
            }

            if (depth <= 0)
            {
                underruns++;
                playing = false;
                return Conceal(frame, advance: false);
            }

            var readStart = (int)(readPosition & mask);
            if (readStart + frame.Length <= ring.Length && !filled.AsSpan(readStart, frame.Length).Contains(false))
            {
                // The common case: the whole frame arrived and does not wrap the ring.
                ring.AsSpan(readStart, frame.Length).CopyTo(frame);
                filled.AsSpan(readStart, frame.Length).Clear();
                readPosition += frameSamples;
                frame.CopyTo(lastFrame);
                concealedRun = 0;
                return JitterFrameKind.Audio;
            }

            var missing = 0;
            for (var i = 0; i < frame.Length; i++)
            {
                var index = (int)((readPosition + i) & mask);
                if (filled[index])
                {
                    frame[i] = ring[index];
                    filled[index] = false;
                }
                else
                {
                    frame[i] = (short)(lastFrame[i] / 2);
                    missing++;
                }
            }

            if (missing == frame.Length)
            {
                return Conceal(frame, advance: true);
            }

            readPosition += frameSamples;
            frame.CopyTo(lastFrame);
            concealedRun = 0;
            return JitterFrameKind.Audio;
        }
    }

    /// <summary>Forgets everything buffered, e.g. when the sender's SSRC changed.</summary>
    public void Reset()
    {
        lock (gate)
        {
            started = false;
            playing = false;
            concealedRun = maxConcealedFrames;
            Array.Clear(filled);
            jitter.Reset();
        }
    }

    private JitterFrameKind Conceal(Span<short> frame, bool advance)
    {
        if (advance)
        {
            readPosition += frameSamples;
        }

        if (concealedRun >= maxConcealedFrames)
        {
            frame.Clear();
            return JitterFrameKind.Silence;
        }

        concealedRun++;
        concealedFrames++;

        // Repeat the last good frame, fading linearly from the previous repeat's end gain to half of it,
        // so a burst of loss decays smoothly instead of buzzing or clicking.
        var from = MathF.Pow(0.5f, concealedRun - 1);
        var to = from * 0.5f;
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)(lastFrame[i] * (from + ((to - from) * i / frame.Length)));
        }

        return JitterFrameKind.Concealed;
    }

    private void Restart(uint timestamp)
    {
        Array.Clear(filled);
        started = true;
        playing = false;
        readPosition = timestamp;
        newestEnd = timestamp;
    }

    private bool IsAllFilled(long start, int length)
    {
        var index = (int)(start & mask);
        var firstRun = Math.Min(length, ring.Length - index);
        return !filled.AsSpan(index, firstRun).Contains(false) && !filled.AsSpan(0, length - firstRun).Contains(false);
    }

    private void ClearRange(long start, int length)
    {
        for (var i = 0; i < length; i++)
        {
            filled[(int)((start + i) & mask)] = false;
        }
    }

    private int ToSamples(TimeSpan duration) => (int)(duration.TotalSeconds * sampleRate);
}
