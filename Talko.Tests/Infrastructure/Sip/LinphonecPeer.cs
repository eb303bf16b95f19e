using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>
/// linphonec (Debian's linphone-cli, liblinphone 5.1) as a child process with a private HOME and config, driven by its
/// console commands on stdin; what it prints comes back as lines. Wave files stand in for the sound card.
/// </summary>
/// <remarks>
/// Found by experiment with liblinphone 5.1.65: without `[net] auto_net_state_mon=0` the core never opens its SIP
/// listening point in a container (it waits for a network-up event that never comes); the call history database
/// needs ~/.local/share/linphone to exist; `status register` prints `registered, identity=...` once registered.
/// </remarks>
internal sealed class LinphonecPeer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/linphonec";
    private const int MaxLogLength = 64 * 1024;

    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly Lock gate = new();
    private readonly List<string> lines = [];
    private TaskCompletionSource lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LinphonecPeer(Process process, string directory, int sipPort)
    {
        this.process = process;
        Directory = directory;
        SipPort = sipPort;
    }

    public string Directory { get; }

    public int SipPort { get; }

    /// <summary>The tail of what linphonec printed, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (gate)
            {
                return log.ToString();
            }
        }
    }

    public static void EnsureInstalled()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"linphonec is not installed ({Executable}): apt-get install linphone-cli (scripts/test.sh installs it when run as root)");
        }
    }

    public static async Task<LinphonecPeer> StartAsync(TimeSpan timeout)
    {
        EnsureInstalled();
        var directory = System.IO.Directory.CreateTempSubdirectory("talko-linphonec-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, ".local", "share", "linphone"));
        var sipPort = FreePort.Find();
        var rtpPort = FreePort.Find();
        var config = string.Join('\n',
            "[sip]", $"sip_port={sipPort.ToString(CultureInfo.InvariantCulture)}", "sip_tcp_port=0", "sip_tls_port=0", "default_proxy=-1",
            "[rtp]", $"audio_rtp_port={rtpPort.ToString(CultureInfo.InvariantCulture)}",
            "[sound]", "echocancellation=0",
            "[net]", "auto_net_state_mon=0",
            "[video]", "automatically_initiate=0", "automatically_accept=0", "");
        var configPath = Path.Combine(directory, "linphonerc");
        await File.WriteAllTextAsync(configPath, config);

        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-c", configPath, "-d", "0" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.Environment["HOME"] = directory;
        var process = Process.Start(start) ?? throw new InvalidOperationException("linphonec did not start");
        var peer = new LinphonecPeer(process, directory, sipPort);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await peer.SendAsync("soundcard use files");
        await peer.WaitForLineAsync(l => l.Contains("Using wav files", StringComparison.Ordinal), timeout);
        return peer;
    }

    public async Task SendAsync(string command)
    {
        await process.StandardInput.WriteLineAsync(command);
        await process.StandardInput.FlushAsync();
    }

    /// <summary>Registers with digest and waits until linphonec reports the registration as done.</summary>
    public async Task RegisterAsync(string user, string server, string password, TimeSpan timeout)
    {
        await SendAsync($"register sip:{user}@127.0.0.1 sip:{server} {password}");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var seen = Count();
            await SendAsync("status register");
            try
            {
                var answer = await WaitForLineAsync(l => l.Contains("registered", StringComparison.Ordinal), TimeSpan.FromSeconds(2), seen);
                if (answer.Contains("registered, identity=", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (TimeoutException)
            {
            }
            await Task.Delay(300);
        }
        throw new TimeoutException($"linphonec did not register in {timeout}:\n{Log}");
    }

    /// <summary>Calls <paramref name="uri"/> and waits until the call is connected.</summary>
    public async Task CallAsync(string uri, TimeSpan timeout)
    {
        var seen = Count();
        await SendAsync("call " + uri);
        await WaitForLineAsync(l => l.Contains(" connected.", StringComparison.Ordinal) || l.Contains(" error", StringComparison.Ordinal), timeout, seen);
        if (!Lines(seen).Any(l => l.Contains(" connected.", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"linphonec's call failed:\n{Log}");
        }
    }

    public async Task HangUpAsync(TimeSpan timeout)
    {
        var seen = Count();
        await SendAsync("terminate");
        await WaitForLineAsync(l => l.Contains(" ended", StringComparison.Ordinal), timeout, seen);
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, int from = 0)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task arrived;
            lock (gate)
            {
                for (var i = from; i < lines.Count; i++)
                {
                    if (match(lines[i]))
                    {
                        return lines[i];
                    }
                }

                arrived = lineArrived.Task;
            }
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || process.HasExited)
            {
                throw new TimeoutException($"linphonec printed no matching line in {timeout}:\n{Log}");
            }

            await Task.WhenAny(arrived, Task.Delay(left));
        }
    }

    private int Count()
    {
        lock (gate)
        {
            return lines.Count;
        }
    }

    private List<string> Lines(int from)
    {
        lock (gate)
        {
            return lines.Skip(from).ToList();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            lines.Add(line);
            log.AppendLine(line);
            if (log.Length > MaxLogLength)
            {
                log.Remove(0, log.Length - MaxLogLength);
            }

            var arrived = lineArrived;
            lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                await SendAsync("quit");
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (IOException)
        {
            // stdin is gone: the process already ended.
        }
        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
