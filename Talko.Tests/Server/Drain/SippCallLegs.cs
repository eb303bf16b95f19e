using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Talko.LoadClient;
using Talko.Tests.Sip.Infrastructure;

namespace Talko.Tests.Server.Drain;

/// <summary>
/// Many transferable call legs in one sipp process (Sip/Scenarios/call-leg-transferable.xml, one injection line per leg),
/// each streaming audio; reports sipp's successful and failed call counts (a failed call is a dropped one).
/// </summary>
internal static partial class SippCallLegs
{
    public sealed record Result(int ExitCode, int Successful, int Failed, string Output, string ErrorLog)
    {
        public override string ToString() => $"exit {ExitCode}, {Successful} successful, {Failed} failed\n--- error log ---\n{ErrorLog}\n--- output (tail) ---\n{Output[Math.Max(0, Output.Length - 2500)..]}";
    }

    /// <param name="remote">The SIP address of the instance that owns the calls.</param>
    /// <param name="legs">The legs to dial, all at once.</param>
    /// <param name="ownLength">How long a leg waits for a REFER before it hangs up by itself.</param>
    /// <param name="afterMove">How long a referred leg talks on the new owner before it hangs up.</param>
    /// <param name="mediaPort">sipp's first local RTP port (each process needs its own range).</param>
    /// <param name="limit">Hard limit for the whole process.</param>
    public static async Task<Result> RunAsync(string remote, IReadOnlyList<CallLeg> legs, TimeSpan ownLength, TimeSpan afterMove, int mediaPort, TimeSpan limit)
    {
        if (!File.Exists(SippRunner.Executable)) throw new InvalidOperationException("sipp is not installed (apt-get install sip-tester)");
        var scenarios = Path.Combine(AppContext.BaseDirectory, "Sip", "Scenarios");
        var work = Directory.CreateTempSubdirectory("talko-sipp-legs-");
        var csv = Path.Combine(work.FullName, "legs.csv");
        var errorFile = Path.Combine(work.FullName, "errors.log");
        await File.WriteAllTextAsync(csv, CallLeg.ToSippCsv(legs));
        var start = new ProcessStartInfo(SippRunner.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The scenario streams talk.wav from its own folder.
            WorkingDirectory = scenarios,
        };
        string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        foreach (var argument in new[]
                 {
                     remote, "-sf", Path.Combine(scenarios, "call-leg-transferable.xml"), "-inf", csv,
                     "-m", legs.Count.ToString(CultureInfo.InvariantCulture), "-l", legs.Count.ToString(CultureInfo.InvariantCulture), "-r", "20",
                     "-i", "127.0.0.1", "-p", FreePort.Find().ToString(CultureInfo.InvariantCulture), "-t", "u1",
                     "-mp", mediaPort.ToString(CultureInfo.InvariantCulture), "-recv_timeout", Ms(ownLength), "-d", Ms(afterMove),
                     "-nostdin", "-trace_err", "-error_file", errorFile,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using (var cancel = new CancellationTokenSource(limit))
        {
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        var text = await output.WaitAsync(TimeSpan.FromSeconds(10)) + await errors.WaitAsync(TimeSpan.FromSeconds(10));
        var errorLog = File.Exists(errorFile) ? await File.ReadAllTextAsync(errorFile) : "";
        try
        {
            work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }

        return new Result(process.ExitCode, LastCount(SuccessfulLine(), text), LastCount(FailedLine(), text), text, errorLog);
    }

    private static int LastCount(Regex line, string text) =>
        line.Matches(text) is { Count: > 0 } matches ? int.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@"Successful call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex SuccessfulLine();

    [GeneratedRegex(@"Failed call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex FailedLine();
}
