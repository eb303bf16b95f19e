using System.Diagnostics;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>Runs /usr/bin/sipp as a child process with a hard time limit and collects what it reported.</summary>
internal static class SippRunner
{
    public const string Executable = "/usr/bin/sipp";

    public sealed record Result(int ExitCode, string Output, string Errors, string ErrorLog)
    {
        public override string ToString() => $"exit {ExitCode}\n--- errors ---\n{Errors}\n--- error log ---\n{ErrorLog}\n--- output (tail) ---\n{Output[Math.Max(0, Output.Length - 3000)..]}";
    }

    public static async Task<Result> RunAsync(string scenario, string remote, IEnumerable<string> arguments, TimeSpan limit)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException("sipp is not installed (apt-get install sip-tester)");
        }

        var work = Directory.CreateTempSubdirectory("talko-sipp-");
        var errorFile = Path.Combine(work.FullName, "errors.log");
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = work.FullName,
        };
        // An empty remote runs a server (UAS) scenario, which waits for requests instead of sending to a peer.
        foreach (var a in new[] { remote, "-sf", Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Sip", "Scenarios", scenario), "-m", "1", "-l", "1",
                     "-timeout", "15s", "-timeout_error", "-recv_timeout", "10000", "-nostdin", "-trace_err", "-error_file", errorFile })
        {
            if (a.Length > 0)
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        var errorLog = File.Exists(errorFile) ? await File.ReadAllTextAsync(errorFile) : "";
        var result = new Result(process.ExitCode, await output.WaitAsync(TimeSpan.FromSeconds(10)), await errors.WaitAsync(TimeSpan.FromSeconds(10)), errorLog);
        try
        { work.Delete(recursive: true); }
        catch (IOException) { }
        return result;
    }
}
