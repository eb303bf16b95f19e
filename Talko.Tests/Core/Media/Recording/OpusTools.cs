using System.Diagnostics;

namespace Talko.Tests.Core.Media.Recording;

/// <summary>opus-tools (opusinfo, opusdec) as independent readers of the Ogg Opus Talko writes.</summary>
internal static class OpusTools
{
    /// <summary>Runs opusinfo; asserts it exits 0 and reports neither errors nor warnings; returns its report.</summary>
    public static async Task<string> InfoAsync(string path)
    {
        var (exit, output) = await RunAsync("opusinfo", [path]);
        Assert.True(exit == 0, $"opusinfo failed: {output}");
        Assert.DoesNotContain("WARNING", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ERROR", output, StringComparison.OrdinalIgnoreCase);
        return output;
    }

    /// <summary>Decodes with opusdec to 48 kHz 16-bit WAV and reads it back.</summary>
    public static async Task<WavAudio> DecodeAsync(string path)
    {
        var wav = path + ".decoded.wav";
        var (exit, output) = await RunAsync("opusdec", ["--quiet", "--rate", "48000", path, wav]);
        Assert.True(exit == 0, $"opusdec failed: {output}");
        return WavAudio.Read(wav);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start (is opus-tools installed?)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }
}
