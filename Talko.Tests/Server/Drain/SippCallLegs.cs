using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Talko.LoadClient;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Server.Drain;

/// <summary>
/// Transferable call legs (Infrastructure/Sip/Scenarios/call-leg-transferable.xml), one sipp process each (sipp 3.6 takes digest
/// credentials per process only), each streaming audio; reports how many ended well and how many failed (a failed
/// leg is a dropped call: a BYE from the server, an unexpected message, a timeout).
/// </summary>
internal static partial class SippCallLegs
{
    public sealed record Leg(CallLeg Call, int ExitCode, int Successful, int Failed, string Output, string ErrorLog);

    public sealed record Result(IReadOnlyList<Leg> Legs)
    {
        public int Successful => Legs.Count(l => l.ExitCode == 0 && l.Successful == 1 && l.Failed == 0);

        public int Failed => Legs.Count - Successful;

        public override string ToString() => $"{Successful} legs ended well, {Failed} failed" + string.Concat(Legs.Where(l => l.ExitCode != 0 || l.Successful != 1)
            .Select(l => $"\n--- leg of {l.Call.SipUsername} in {l.Call.CallId}: exit {l.ExitCode}\n{l.ErrorLog}\n{l.Output[Math.Max(0, l.Output.Length - 1500)..]}"));
    }

    /// <param name="remote">The SIP address of the instance that owns the calls.</param>
    /// <param name="legs">The legs to dial, all at once.</param>
    /// <param name="ownLength">How long a leg waits for a REFER before it hangs up by itself.</param>
    /// <param name="afterMove">How long a referred leg talks on the new owner before it hangs up.</param>
    /// <param name="limit">Hard limit for each process.</param>
    /// <param name="stop">Kills what is still running (a test that failed early).</param>
    public static async Task<Result> RunAsync(string remote, IReadOnlyList<CallLeg> legs, TimeSpan ownLength, TimeSpan afterMove, TimeSpan limit, CancellationToken stop) =>
        new(await Task.WhenAll(legs.Select(leg => RunLegAsync(remote, leg, ownLength, afterMove, limit, stop))));

    private static async Task<Leg> RunLegAsync(string remote, CallLeg leg, TimeSpan ownLength, TimeSpan afterMove, TimeSpan limit, CancellationToken stop)
    {
        if (!File.Exists(SippRunner.Executable))
        {
            throw new InvalidOperationException("sipp is not installed (apt-get install sip-tester)");
        }

        var scenarios = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Sip", "Scenarios");
        var work = Directory.CreateTempSubdirectory("talko-sipp-leg-");
        var errorFile = Path.Combine(work.FullName, "errors.log");
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
                     remote, "-sf", Path.Combine(scenarios, "call-leg-transferable.xml"), "-m", "1", "-l", "1",
                     "-s", leg.CallId.ToString("D"), "-au", leg.SipUsername, "-ap", leg.SipSecret, "-set", "user", leg.SipUsername,
                     "-i", "127.0.0.1", "-p", FreePort.Find().ToString(CultureInfo.InvariantCulture), "-t", "u1",
                     "-mp", FreePort.Find().ToString(CultureInfo.InvariantCulture), "-recv_timeout", Ms(ownLength), "-d", Ms(afterMove),
                     "-nostdin", "-trace_err", "-error_file", errorFile,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            cancel.CancelAfter(limit);
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

        return new Leg(leg, process.ExitCode, LastCount(SuccessfulLine(), text), LastCount(FailedLine(), text), text, errorLog);
    }

    private static int LastCount(Regex line, string text) =>
        line.Matches(text) is { Count: > 0 } matches ? int.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@"Successful call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex SuccessfulLine();

    [GeneratedRegex(@"Failed call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex FailedLine();
}
