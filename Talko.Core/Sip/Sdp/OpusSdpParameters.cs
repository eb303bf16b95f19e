using System.Globalization;
using System.Text;

namespace Talko.Core.Sip.Sdp;

/// <summary>
/// The Opus format parameters of RFC 7587 section 6.1 that Talko reads and writes (a=fmtp). Each side's parameters say
/// what it wants to receive: the peer's maxaveragebitrate caps what Talko sends it, and its useinbandfec says whether
/// FEC is worth sending. Unknown parameters are ignored; values out of range fall back to the RFC's defaults.
/// </summary>
public sealed record OpusSdpParameters(int? MaxAverageBitrate = null, bool UseInbandFec = false, bool Stereo = false, bool SpropStereo = false, int? MinPtime = null)
{
    /// <summary>RFC 7587 section 6.1: maxaveragebitrate is 6000-510000 b/s.</summary>
    public const int MinBitrate = 6000;
    public const int MaxBitrate = 510000;

    /// <summary>Mono, 20 ms packets, FEC asked for: what Talko receives, at <paramref name="maxAverageBitrate"/>.</summary>
    public static OpusSdpParameters Talko(int maxAverageBitrate) => new(maxAverageBitrate, UseInbandFec: true, Stereo: false, SpropStereo: false, MinPtime: 20);

    /// <summary>Reads the value of an "a=fmtp:PT params" attribute after the payload type.</summary>
    public static OpusSdpParameters Parse(string? parameters)
    {
        var result = new OpusSdpParameters();
        if (string.IsNullOrWhiteSpace(parameters))
        {
            return result;
        }

        // Bounded: a hostile fmtp line cannot make this loop long (SIP bodies are size-limited before parsing).
        foreach (var pair in parameters.Split(';', 32, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var name = pair[..equals].Trim().ToLowerInvariant();
            var value = pair[(equals + 1)..].Trim();
            var number = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
            result = name switch
            {
                "maxaveragebitrate" when number is >= MinBitrate and <= MaxBitrate => result with { MaxAverageBitrate = number },
                "useinbandfec" => result with { UseInbandFec = number == 1 },
                "stereo" => result with { Stereo = number == 1 },
                "sprop-stereo" => result with { SpropStereo = number == 1 },
                "minptime" when number is > 0 and <= 120 => result with { MinPtime = number },
                _ => result,
            };
        }

        return result;
    }

    /// <summary>The fmtp parameters, e.g. "minptime=20;useinbandfec=1;maxaveragebitrate=32000;stereo=0;sprop-stereo=0".</summary>
    public string Format()
    {
        var text = new StringBuilder();
        if (MinPtime is { } minPtime)
        {
            text.Append(CultureInfo.InvariantCulture, $"minptime={minPtime};");
        }

        text.Append(CultureInfo.InvariantCulture, $"useinbandfec={(UseInbandFec ? 1 : 0)};");
        if (MaxAverageBitrate is { } bitrate)
        {
            text.Append(CultureInfo.InvariantCulture, $"maxaveragebitrate={bitrate};");
        }

        text.Append(CultureInfo.InvariantCulture, $"stereo={(Stereo ? 1 : 0)};sprop-stereo={(SpropStereo ? 1 : 0)}");
        return text.ToString();
    }
}
