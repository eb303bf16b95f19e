namespace Talko.Core.Media.Mixing;

/// <summary>Decides per frame whether a participant is talking, from frame energy with hysteresis.</summary>
public sealed class TalkerDetector
{
    private readonly double startMeanSquare;
    private readonly double stopMeanSquare;
    private readonly int startFrames;
    private readonly int stopFrames;
    private int loudRun;
    private int quietRun;

    public TalkerDetector(TalkerDetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        startMeanSquare = ToMeanSquare(options.StartThresholdDbov);
        stopMeanSquare = ToMeanSquare(options.StopThresholdDbov);
        startFrames = options.StartFrames;
        stopFrames = options.StopFrames;
    }

    public bool IsTalking { get; private set; }

    /// <summary>Feeds one frame's energy (sum of squares over <paramref name="samples"/>); true when the state flipped.</summary>
    public bool Update(long energy, int samples)
    {
        var meanSquare = samples == 0 ? 0 : (double)energy / samples;
        if (!IsTalking)
        {
            loudRun = meanSquare >= startMeanSquare ? loudRun + 1 : 0;
            if (loudRun >= startFrames)
            {
                IsTalking = true;
                quietRun = 0;
                return true;
            }

            return false;
        }

        quietRun = meanSquare < stopMeanSquare ? quietRun + 1 : 0;
        if (quietRun >= stopFrames)
        {
            IsTalking = false;
            loudRun = 0;
            return true;
        }

        return false;
    }

    /// <summary>Ends a talk spurt at once (participant left or went on hold); true if one was running.</summary>
    public bool ForceStop()
    {
        var wasTalking = IsTalking;
        IsTalking = false;
        loudRun = 0;
        quietRun = 0;
        return wasTalking;
    }

    internal static double ToMeanSquare(double dbov)
    {
        var rms = 32768 * Math.Pow(10, dbov / 20);
        return rms * rms;
    }
}
