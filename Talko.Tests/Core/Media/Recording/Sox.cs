using System.Diagnostics;
using System.Globalization;

namespace Talko.Tests.Core.Media.Recording;

/// <summary>Asks sox's soxi about a sound file, as an independent reader of what the recorder wrote.</summary>
internal static class Sox
{
    public static async Task<string> InfoAsync(string option, string path)
    {
        var start = new ProcessStartInfo("soxi", [option, path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("soxi did not start (is sox installed?)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(process.ExitCode == 0, $"soxi {option} failed: {await error}");
        return (await output).Trim();
    }

    public static async Task<double> DurationSecondsAsync(string path) =>
        double.Parse(await InfoAsync("-D", path), CultureInfo.InvariantCulture);
}
