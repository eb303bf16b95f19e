using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media;
using Talko.Core.Media.Engine;

namespace Talko.Bench.Media;

/// <summary>
/// Hosts Talko's conference media engine (the one Talko.Server runs, with its defaults: per-leg RTP/RTCP ports,
/// strict source checks, jitter buffers, the mixer on its timing threads, RTCP) for scripts/bench-media.sh. It joins
/// one leg per line of --peers (the load generator's RTP port for that participant, on 127.0.0.1) to one conference,
/// as SIP signalling would after an INVITE, writes "peer_port local_port" lines to --out, and runs until SIGTERM or
/// --seconds. No SIP, database or web stack: the CPU it uses is the media path alone. With --audio-level-id the legs
/// read the RFC 6464 level under that id, as a leg whose SDP negotiated it does (ADR 0930).
/// </summary>
internal static class MediaServerMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var peersFile = BenchArguments.String(args, "--peers") ?? throw new ArgumentException("--peers FILE is required");
        var outFile = BenchArguments.String(args, "--out") ?? throw new ArgumentException("--out FILE is required");
        var codec = (BenchArguments.String(args, "--codec") ?? "pcmu") switch
        {
            "pcmu" => AudioCodec.Pcmu,
            "opus" => AudioCodec.Opus,
            var other => throw new ArgumentException($"--codec {other}: pcmu or opus"),
        };
        var seconds = BenchArguments.Int(args, "--seconds", 600);
        // The RFC 6464 extension id the generator labels packets with (rtpgen --levels); 0: packets carry no level.
        var audioLevelId = BenchArguments.Int(args, "--audio-level-id", 0);
        var options = new MediaEngineOptions();
        options.RtpPorts.MinPort = BenchArguments.Int(args, "--min-port", options.RtpPorts.MinPort);
        options.RtpPorts.MaxPort = BenchArguments.Int(args, "--max-port", options.RtpPorts.MaxPort);

        var peers = File.ReadAllLines(peersFile).Where(line => line.Length > 0).Select(line => int.Parse(line, CultureInfo.InvariantCulture)).ToArray();
        await using var engine = new ConferenceMediaEngine(Options.Create(options), TimeProvider.System);
        var legs = new List<IMediaLeg>(peers.Length);
        var lines = new List<string>(peers.Length);
        foreach (var peer in peers)
        {
            var remote = new IPEndPoint(IPAddress.Loopback, peer);
            var leg = await engine.AddLegAsync(new MediaLegOptions(
                "bench", LegId.Inbound($"p{peer.ToString(CultureInfo.InvariantCulture)}"), remote, codec, 101, SignallingAddress: IPAddress.Loopback,
                AudioLevelExtensionId: audioLevelId > 0 ? audioLevelId : null));
            legs.Add(leg);
            lines.Add($"{peer.ToString(CultureInfo.InvariantCulture)} {leg.LocalRtp.Port.ToString(CultureInfo.InvariantCulture)}");
        }

        await File.WriteAllLinesAsync(outFile + ".tmp", lines);
        File.Move(outFile + ".tmp", outFile, overwrite: true);
        Console.WriteLine($"media-server ready: {legs.Count.ToString(CultureInfo.InvariantCulture)} {codec} legs in one conference");

        await ServerModeLifetime.UntilStoppedAsync(seconds);

        var totals = engine.Totals;
        Console.WriteLine($"media-server totals: {totals}");
        return 0;
    }
}
