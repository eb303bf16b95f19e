namespace Talko.Core.Media.Mixing;

/// <summary>
/// A linear-phase low-pass FIR for integer-ratio resampling, designed by the windowed-sinc method with a Kaiser window
/// (the window's beta and length from Kaiser's formulas for the asked stopband attenuation and transition width).
/// Coefficients are at the high rate; the length is 2 x factor x half + 1, so the delay is a whole number of samples
/// at both rates.
/// </summary>
internal sealed class ResamplerFilter
{
    private static readonly Dictionary<(int, int), ResamplerFilter> Designs = [];

    private ResamplerFilter(int highRate, int factor, double passbandHz, double stopbandHz, double attenuationDb)
    {
        Factor = factor;
        var transition = 2 * Math.PI * (stopbandHz - passbandHz) / highRate;
        var estimate = (int)Math.Ceiling((attenuationDb - 8) / (2.285 * transition)) + 1;

        // Half-length in low-rate samples, so the group delay (half x factor high-rate samples) is exact at both rates.
        HalfLength = (int)Math.Ceiling((estimate - 1) / (2.0 * factor));
        var length = (2 * factor * HalfLength) + 1;
        var beta = attenuationDb > 50 ? 0.1102 * (attenuationDb - 8.7) : 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + (0.07886 * (attenuationDb - 21));
        var cutoff = (passbandHz + stopbandHz) / 2 / highRate; // cycles per high-rate sample
        var centre = (length - 1) / 2.0;
        var taps = new double[length];
        var sum = 0.0;
        for (var k = 0; k < length; k++)
        {
            var x = k - centre;
            var sinc = x == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
            var ratio = x / centre;
            var window = BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - (ratio * ratio)))) / BesselI0(beta);
            taps[k] = sinc * window;
            sum += taps[k];
        }

        Coefficients = taps.Select(t => (float)(t / sum)).ToArray();
    }

    /// <summary>High rate / low rate.</summary>
    public int Factor { get; }

    /// <summary>Half the filter in low-rate samples: the group delay at the low rate.</summary>
    public int HalfLength { get; }

    /// <summary>Unity DC gain, at the high rate, symmetric.</summary>
    public float[] Coefficients { get; }

    /// <summary>
    /// The shared design for one pair of rates: passband to 85 % of the low rate's Nyquist frequency (3.4 kHz for 8 kHz,
    /// 6.8 kHz for 16 kHz), stopband from its Nyquist frequency, 80 dB down there.
    /// </summary>
    public static ResamplerFilter For(int lowRate, int highRate)
    {
        lock (Designs)
        {
            if (!Designs.TryGetValue((lowRate, highRate), out var filter))
            {
                filter = new ResamplerFilter(highRate, highRate / lowRate, lowRate * 0.425, lowRate * 0.5, 80);
                Designs[(lowRate, highRate)] = filter;
            }

            return filter;
        }
    }

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series.</summary>
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, quarter = x * x / 4;
        for (var k = 1; k < 50 && term > sum * 1e-17; k++)
        {
            term *= quarter / (k * k);
            sum += term;
        }

        return sum;
    }
}
