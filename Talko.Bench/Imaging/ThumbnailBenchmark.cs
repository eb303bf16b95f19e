using System.Diagnostics;
using System.Globalization;
using Talko.Core.Imaging;

namespace Talko.Bench.Imaging;

/// <summary>
/// Times a whole thumbnail (header, reduced-size decode, mipmapped downscale, orient, encode) with the default
/// options, and the same with the reduced-size decode turned off, so what SKCodec's scaled decoding saves shows
/// as a ratio.
/// </summary>
internal static class ThumbnailBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: Talko.Bench thumbnails <photo.jpg|photo.png|photo.webp> [runs] [thumbnail-out.jpg]");
            return 2;
        }

        var bytes = await File.ReadAllBytesAsync(args[0]);
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        var codec = bytes[0] == 0x89 ? ImageCodec.Png : bytes[0] == 'R' ? ImageCodec.Webp : ImageCodec.Jpeg;
        var options = new ImagingOptions();

        var thumbnail = new Thumbnailer(options).Create(new MemoryStream(bytes), codec);
        if (args.Length > 2)
        {
            await File.WriteAllBytesAsync(args[2], thumbnail.Jpeg);
        }

        Console.WriteLine($"{args[0]}: {thumbnail.SourceWidth}x{thumbnail.SourceHeight} ({thumbnail.SourceWidth * (long)thumbnail.SourceHeight / 1e6:0.0} MP, {bytes.Length / 1024} KiB) "
            + $"decoded at {thumbnail.DecodeWidth}x{thumbnail.DecodeHeight} -> {thumbnail.Width}x{thumbnail.Height} ({thumbnail.Jpeg.Length} bytes), {runs} runs after one warm-up");

        var whole = Measure(runs, () => new Thumbnailer(options).Create(new MemoryStream(bytes), codec));
        Report("thumbnail (default path)", whole);
        if (thumbnail.DecodeWidth < thumbnail.SourceWidth)
        {
            var full = Measure(runs, () => new Thumbnailer(options) { ReducedSizeDecode = false }.Create(new MemoryStream(bytes), codec));
            Report("full-size decode, then the same downscale", full);
            Console.WriteLine($"ratio full / default: {Median(full) / Median(whole):0.0}x");
        }

        return 0;
    }

    private static List<double> Measure(int runs, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return times;
    }

    private static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);

    private static void Report(string what, List<double> times) =>
        Console.WriteLine($"{what}: median {Median(times):0.0} ms, min {times.Min():0.0} ms, max {times.Max():0.0} ms");
}
