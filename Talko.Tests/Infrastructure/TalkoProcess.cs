using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// A real Talko.Server process on a loopback port, for what an in-process host cannot show: a SIGKILL,
/// a SIGTERM, real sockets. Its output is kept for the failure message.
/// </summary>
public sealed class TalkoProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly string workingDirectory;

    private TalkoProcess(Process process, int httpPort, string workingDirectory, TalkoHostOptions options)
    {
        this.process = process;
        this.workingDirectory = workingDirectory;
        HttpPort = httpPort;
        Options = options;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
    }

    public TalkoHostOptions Options { get; }

    public int HttpPort { get; }

    public Uri BaseAddress { get; }

    public bool HasExited => process.HasExited;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<TalkoProcess> StartAsync(TalkoHostOptions options)
    {
        var port = FreePort.Find();
        var workingDirectory = Path.Combine(Path.GetTempPath(), "talko-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workingDirectory);
        var start = new ProcessStartInfo("dotnet", [ServerAssembly(out var solution)])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = options.Environment;
        // The web client as the .NET build left it, so browser tests see what `dotnet run` serves.
        start.Environment["Talko__WebClient__Directory"] = Path.Combine(solution, "Talko.Server", "webclient");
        foreach (var (key, value) in options.ToConfiguration())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Talko.Server.");
        var talko = new TalkoProcess(process, port, workingDirectory, options);
        process.OutputDataReceived += (_, line) => talko.Append(line.Data);
        process.ErrorDataReceived += (_, line) => talko.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await talko.WaitUntilLiveAsync();
        return talko;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TestTimeouts.Default };

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Talko-Admin-Key", Options.AdminKey);
        return client;
    }

    /// <summary>SIGKILL: no goodbye, no cleanup; what it held must expire by itself.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>SIGTERM: the graceful path.</summary>
    public async Task TerminateAsync()
    {
        // SIGTERM straight from this process, and only while the child runs: .NET reaps an exited child at once, so a
        // signal sent later by PID (as a `kill` child process did) could reach whatever process got the PID next.
        if (!process.HasExited && SignalTerminate(process.Id, SigTerm) != 0 && !process.HasExited)
        {
            throw new InvalidOperationException($"SIGTERM to {process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
        }

        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SignalTerminate(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
        try
        {
            TestDirectory.Delete(workingDirectory);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }

    /// <summary>The server's own build output, found from the solution folder (same configuration as the tests).</summary>
    private static string ServerAssembly(out string solution)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        solution = SolutionPaths.Root;
        var path = Path.Combine(solution, "Talko.Server", "bin", configuration, "net10.0", "Talko.Server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build Talko.Server first (dotnet build Talko.sln).", path);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private async Task WaitUntilLiveAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Talko.Server exited with {process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync("/health/live")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Talko.Server did not become live:\n{Output}");
    }
}
