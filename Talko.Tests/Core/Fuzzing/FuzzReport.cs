using System.Globalization;

namespace Talko.Tests.Core.Fuzzing;

/// <summary>What one fuzzing run did: inputs, rate, failures (with reproducible samples) and managed memory around it.</summary>
internal sealed record FuzzReport(
    string Target,
    int Seed,
    long Inputs,
    TimeSpan Elapsed,
    IReadOnlyList<string> Failures,
    long MemoryBeforeBytes,
    long MemoryAfterBytes)
{
    public double InputsPerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 0.001);

    public long MemoryGrowthBytes => MemoryAfterBytes - MemoryBeforeBytes;

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0}: seed {1}, {2:N0} inputs in {3:F1} s ({4:N0}/s), {5} failures, managed memory {6:F1} MB before, {7:F1} MB after",
        Target, Seed, Inputs, Elapsed.TotalSeconds, InputsPerSecond, Failures.Count, MemoryBeforeBytes / 1048576.0, MemoryAfterBytes / 1048576.0);
}

/// <summary>How long and with which seed the fuzz tests run: seconds in the suite, minutes from scripts/fuzz.sh.</summary>
internal static class FuzzSettings
{
    public static TimeSpan Duration =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("TALKO_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 3);

    /// <summary>A fixed seed reproduces a run; without one each run explores new inputs (the seed is in the report).</summary>
    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("TALKO_FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Random.Shared.Next();

    /// <summary>scripts/fuzz.sh collects the report lines in this file.</summary>
    public static void Publish(FuzzReport report)
    {
        if (Environment.GetEnvironmentVariable("TALKO_FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllText(path, report + Environment.NewLine);
        }
    }

    /// <summary>Saves an input that failed, so it can be replayed; returns a line naming the file and the exception.</summary>
    public static string Keep(byte[] input, long number, Exception exception)
    {
        var directory = Path.Combine(Path.GetTempPath(), "talko-fuzz-failures");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMddHHmmss}-{number}.bin");
        File.WriteAllBytes(path, input);
        return $"input {number} (saved to {path}): {exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}";
    }

    public static long ManagedMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
