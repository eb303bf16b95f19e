using Talko.Bench.Accounts;
using Talko.Bench.Awareness;
using Talko.Bench.Codecs;
using Talko.Bench.Imaging;
using Talko.Bench.Media;
using Talko.Bench.Mixing;
using Talko.Bench.Sip;
using Talko.Bench.Telemetry;
using Talko.Bench.WebRtc;

return args.FirstOrDefault() switch
{
    "mixer" => await MixerBenchmark.RunAsync(args.Skip(1).ToArray()),
    "clock" => await ClockBenchmark.RunAsync(args.Skip(1).ToArray()),
    "sip-server" => await SipServerMode.RunAsync(args.Skip(1).ToArray()),
    "register-cost" => await RegisterCostBenchmark.RunAsync(args.Skip(1).ToArray()),
    "media-server" => await MediaServerMode.RunAsync(args.Skip(1).ToArray()),
    "awareness" => await AwarenessBenchmark.RunAsync(args.Skip(1).ToArray()),
    "thumbnails" => await ThumbnailBenchmark.RunAsync(args.Skip(1).ToArray()),
    "metrics" => await MetricsBenchmark.RunAsync(args.Skip(1).ToArray()),
    "webrtc" => await WebRtcBenchmark.RunAsync(args.Skip(1).ToArray()),
    "webrtc-legs" => await WebRtcLegCostBenchmark.RunAsync(args.Skip(1).ToArray()),
    "opus" => await OpusBenchmark.RunAsync(args.Skip(1).ToArray()),
    "resampler" => await ResamplerBenchmark.RunAsync(args.Skip(1).ToArray()),
    "wideband" => await WidebandMixBenchmark.RunAsync(args.Skip(1).ToArray()),
    "recording-size" => await RecordingSizeBenchmark.RunAsync(args.Skip(1).ToArray()),
    "identifiers" => await IdentifierBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project Talko.Bench -- mixer [--runs N] [--ticks N] [--sizes 250,500,...] [--codec opus [--levels]] [--scenarios all-talking,3-talkers] [--no-clock]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- clock [--runs N] [--seconds N] [--conferences N] [--participants N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- sip-server [--port N] [--seconds N] [--user U] [--password P] [--realm R] [--max-transactions N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- register-cost [--registers N] [--runs N] [--allocations] [--stages]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- media-server --peers FILE --out FILE [--codec pcmu|opus] [--seconds N] [--min-port N] [--max-port N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- awareness [redis-host:port]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- metrics [--records N] [--conferences N] [--legs N] [--scrapes N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- webrtc [--packets N] [--checks N] [--handshakes N] [--payload BYTES]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- webrtc-legs [--rounds N] [--frames N] [--profile gcm|cm]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- opus [--runs N] [--frames N] [--bitrate B]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- resampler [--runs N] [--frames N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- wideband [--runs N] [--frames N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- recording-size [--seconds N] [--complexity N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- identifiers [--entries N] [--runs N]");
    Console.Error.WriteLine("       dotnet run -c Release --project Talko.Bench -- thumbnails <photo.jpg|photo.png> [runs] [thumbnail-out.jpg]");
    return 2;
}
