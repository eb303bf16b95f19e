using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Talko.Tests.Core.Media;

using Talko.Tests.Infrastructure;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>
/// A real softphone in a test: baresip 1.0 as a child process with a private config directory, no sound card
/// (a sine or a WAV as its microphone, sndfile recording what it sends and hears), driven over ctrl_tcp
/// (netstring-framed JSON commands; events arrive on the same connection). Everything binds to 127.0.0.1.
/// </summary>
/// <remarks>
/// Found by experiment with Debian's baresip 1.0.0: ausine only runs at 48 kHz stereo (baresip resamples to the
/// codec); net_interface must be an address ("lo" fails); dial/hangup/accept/transfer come from the menu module;
/// an incoming REFER is followed on its own (TRANSFER event, a new call to the Refer-To target, then the old call
/// closes) unless the account says call_transfer=no. The account is created over the control connection (uanew)
/// so its REGISTER events are never missed.
/// </remarks>
internal sealed class BaresipPeer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/baresip";
    private const string ModulePath = "/usr/lib/baresip/modules";
    private const int MaxLogLength = 64 * 1024;

    private readonly BaresipOptions options;
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly Lock gate = new();
    private readonly List<BaresipEvent> events = [];
    private readonly Dictionary<string, TaskCompletionSource<BaresipResponse>> pending = [];
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private TaskCompletionSource eventArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TcpClient? control;
    private Task? reading;
    private int nextToken;

    private BaresipPeer(BaresipOptions options, string directory, int sipPort, int controlPort, Process process)
    {
        this.options = options;
        Directory = directory;
        SipPort = sipPort;
        ControlPort = controlPort;
        this.process = process;
    }

    public string Directory { get; }

    public string RecordingsDirectory => Path.Combine(Directory, "recordings");

    /// <summary>Where baresip listens for SIP (UDP and TCP) on 127.0.0.1.</summary>
    public int SipPort { get; }

    public int ControlPort { get; }

    /// <summary>The account's address-of-record as baresip reports it in events (sip:user@server;transport=...).</summary>
    public string? AccountAor { get; private set; }

    public IReadOnlyList<BaresipEvent> Events
    {
        get
        {
            lock (gate)
            {
                return [.. events];
            }
        }
    }

    /// <summary>The tail of baresip's stdout and stderr, for failure messages.</summary>
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

    /// <summary>
    /// The modules and settings for an account with <see cref="BaresipAccount.DtlsSrtpWithIce"/>: DTLS-SRTP, full ICE
    /// (baresip 1.0 takes host candidates from every interface but loopback) and RTP and RTCP on one port.
    /// </summary>
    public static IReadOnlyList<string> DtlsSrtpConfig => ["module dtls_srtp.so", "module ice.so", "rtcp_mux yes"];

    /// <summary>Throws with a clear message when baresip or the modules the peer loads are missing (never a silent skip).</summary>
    public static void EnsureInstalled()
    {
        var missing = new[] { "g711", "ausine", "aufile", "sndfile", "ctrl_tcp", "menu", "account" }
            .Where(m => !File.Exists(Path.Combine(ModulePath, m + ".so"))).ToList();
        if (!File.Exists(Executable) || missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"baresip is not installed (missing {(File.Exists(Executable) ? string.Join(", ", missing.Select(m => m + ".so")) : Executable)}): "
                + "apt-get install baresip-core (scripts/test.sh installs it when run as root)");
        }
    }

    /// <summary>Writes the config, starts baresip, connects to its control port and creates the account (if any).</summary>
    public static async Task<BaresipPeer> StartAsync(BaresipOptions options)
    {
        EnsureInstalled();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options);
            }
            catch (PortTakenException) when (attempt < 3)
            {
                // Another process took one of the free ports between the probe and baresip's bind: new ports.
            }
        }
    }

    private static async Task<BaresipPeer> StartOnceAsync(BaresipOptions options)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("talko-baresip-").FullName;
        // baresip listens for SIP over TLS on the port after its SIP port: both must be free.
        var sipPort = FreePort.FindWithNext();
        var controlPort = FreePort.Find();
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "recordings"));
        await File.WriteAllTextAsync(Path.Combine(directory, "config"), Config(options, directory, sipPort, controlPort));
        await File.WriteAllTextAsync(Path.Combine(directory, "accounts"), "");

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[] { "-f", directory, "-t", ((int)options.MaxLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        if (options.SipTrace)
        {
            start.ArgumentList.Add("-s");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("baresip did not start");
        var peer = new BaresipPeer(options, directory, sipPort, controlPort, process);
        try
        {
            process.OutputDataReceived += (_, line) => peer.Append(line.Data);
            process.ErrorDataReceived += (_, line) => peer.Append(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await peer.ConnectAsync();
            if (options.Account is { } account)
            {
                await peer.AddAccountAsync(account);
            }

            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a user agent for <paramref name="account"/> (it REGISTERs at once when its interval is above zero).</summary>
    public async Task AddAccountAsync(BaresipAccount account)
    {
        var response = await CommandAsync("uanew", account.ToAccountLine());
        if (!response.Ok)
        {
            throw new InvalidOperationException($"baresip refused the account: {response.Data}\n{Log}");
        }

        AccountAor = $"sip:{account.User}@{account.Server};transport={account.Transport}";
    }

    /// <summary>Sends one command (e.g. "dial", "hangup", "accept", "transfer", "listcalls", "reginfo") and returns baresip's answer.</summary>
    public async Task<BaresipResponse> CommandAsync(string command, string? parameters = null, TimeSpan? timeout = null)
    {
        var stream = control?.GetStream() ?? throw new InvalidOperationException("not connected to baresip");
        var token = Interlocked.Increment(ref nextToken).ToString(CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<BaresipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            pending[token] = answer;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["command"] = command, ["params"] = parameters ?? "", ["token"] = token });
        var frame = new byte[json.Length + 16];
        var header = Encoding.ASCII.GetBytes(json.Length.ToString(CultureInfo.InvariantCulture) + ":");
        header.CopyTo(frame, 0);
        json.CopyTo(frame, header.Length);
        frame[header.Length + json.Length] = (byte)',';
        await sending.WaitAsync(stopping.Token);
        try
        {
            await stream.WriteAsync(frame.AsMemory(0, header.Length + json.Length + 1), stopping.Token);
        }
        finally
        {
            sending.Release();
        }

        try
        {
            return await answer.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"baresip did not answer '{command} {parameters}'\n{Log}");
        }
        finally
        {
            lock (gate)
            {
                pending.Remove(token);
            }
        }
    }

    /// <summary>Places a call; returns the mark to wait for this call's events from.</summary>
    public async Task<int> DialAsync(string uri)
    {
        var mark = Events.Count;
        var response = await CommandAsync("dial", uri);
        if (!response.Ok)
        {
            throw new InvalidOperationException($"baresip could not dial {uri}: {response.Data}\n{Log}");
        }

        return mark;
    }

    /// <summary>Hangs up the current call (baresip sends BYE, or CANCEL while ringing).</summary>
    public async Task HangupAsync()
    {
        var response = await CommandAsync("hangup");
        if (!response.Ok)
        {
            throw new InvalidOperationException($"baresip could not hang up: {response.Data}\n{Log}");
        }
    }

    /// <summary>Answers the ringing incoming call (for accounts with AutoAnswer off).</summary>
    public Task<BaresipResponse> AcceptAsync() => CommandAsync("accept");

    /// <summary>Blind transfer of the current call: baresip sends REFER with Refer-To <paramref name="target"/>.</summary>
    public Task<BaresipResponse> TransferAsync(string target) => CommandAsync("transfer", target);

    /// <summary>Waits for the first event of <paramref name="type"/> at or after <paramref name="since"/> that <paramref name="match"/> accepts.</summary>
    public async Task<BaresipEvent> WaitForEventAsync(string type, TimeSpan timeout, int since = 0, Func<BaresipEvent, bool>? match = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task arrived;
            lock (gate)
            {
                var found = events.Skip(since).FirstOrDefault(e => e.Type == type && (match is null || match(e)));
                if (found is not null)
                {
                    return found;
                }

                arrived = eventArrived.Task;
            }

            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || process.HasExited)
            {
                throw new TimeoutException(
                    $"baresip: no {type} event within {timeout.TotalSeconds:F0} s{(process.HasExited ? " (process exited)" : "")}; events: "
                    + string.Join(", ", Events.Skip(since)) + "\n--- log ---\n" + Log);
            }

            await Task.WhenAny(arrived, Task.Delay(left > TimeSpan.FromMilliseconds(500) ? TimeSpan.FromMilliseconds(500) : left));
        }
    }

    /// <summary>The WAV files sndfile wrote, one pair per call: "-enc" is what baresip sent, "-dec" what it heard.</summary>
    public IReadOnlyList<string> RecordingFiles() =>
        System.IO.Directory.Exists(RecordingsDirectory) ? [.. System.IO.Directory.GetFiles(RecordingsDirectory, "*.wav").Order(StringComparer.Ordinal)] : [];

    /// <summary>Everything baresip heard (all calls, in order), as 16-bit samples at the recording's rate.</summary>
    public WavAudio Heard() => Concatenate("-dec.wav");

    /// <summary>Everything baresip sent (all calls, in order).</summary>
    public WavAudio Sent() => Concatenate("-enc.wav");

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited && control is not null)
        {
            // A clean quit first: baresip hangs up (BYE), unregisters and closes the WAV files it writes.
            try
            {
                await CommandAsync("quit", timeout: TimeSpan.FromSeconds(2));
            }
            catch (Exception exception) when (exception is TimeoutException or IOException or SocketException or InvalidOperationException or OperationCanceledException)
            {
            }

            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await process.WaitForExitAsync(exited.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            using var killed = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(killed.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await stopping.CancelAsync();
        control?.Dispose();
        if (reading is not null)
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        process.Dispose();
        stopping.Dispose();
        sending.Dispose();
        if (!options.KeepFiles)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Config(BaresipOptions options, string directory, int sipPort, int controlPort)
    {
        var rtpBase = TestRtpPorts.Block(20);

        var source = options.AudioFile is { } file ? $"aufile,{file}" : $"ausine,{options.ToneHz.ToString(CultureInfo.InvariantCulture)}";
        var lines = new List<string>
        {
            "poll_method epoll",
            $"sip_listen 127.0.0.1:{sipPort}",
            "net_interface 127.0.0.1",
            "call_local_timeout 120",
            "call_max_calls 4",
            $"audio_source {source}",
            // ausine produces 48 kHz stereo only; baresip resamples to the codec's 8 kHz mono.
            "ausrc_srate 48000",
            "ausrc_channels 2",
            $"rtp_ports {rtpBase}-{rtpBase + 19}",
            "rtp_tos 0",
            $"module_path {ModulePath}",
            "module g711.so",
            options.AudioFile is null ? "module ausine.so" : "module aufile.so",
            "module sndfile.so",
            "module_app account.so",
            "module_app menu.so",
            "module_app ctrl_tcp.so",
            $"ctrl_tcp_listen 127.0.0.1:{controlPort}",
            $"snd_path {Path.Combine(directory, "recordings")}",
        };
        if (options.AudioFile is not null)
        {
            lines.RemoveAll(l => l.StartsWith("ausrc_", StringComparison.Ordinal));
        }

        lines.AddRange(options.ExtraConfig);
        return string.Join('\n', lines) + "\n";
    }

    private async Task ConnectAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var client = new TcpClient(AddressFamily.InterNetwork);
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, ControlPort).WaitAsync(TimeSpan.FromSeconds(2));
                control = client;
                reading = Task.Run(ReadAsync);
                return;
            }
            catch (Exception exception) when (exception is SocketException or TimeoutException)
            {
                client.Dispose();
            }

            if (process.HasExited && process.ExitCode == AddressInUseExitCode)
            {
                throw new PortTakenException($"baresip could not bind its ports (exited with {AddressInUseExitCode}, EADDRINUSE)\n{Log}");
            }

            if (process.HasExited || clock.Elapsed > options.StartTimeout)
            {
                throw new InvalidOperationException(
                    $"baresip's control port 127.0.0.1:{ControlPort} did not open ({(process.HasExited ? $"exited with {process.ExitCode}" : "still running")})\n{Log}");
            }

            await Task.Delay(100);
        }
    }

    private async Task ReadAsync()
    {
        var stream = control!.GetStream();
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled), stopping.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var consumed = 0;
                while (TryTakeFrame(buffer.AsSpan(consumed, filled - consumed), out var payload, out var length))
                {
                    Dispatch(buffer.AsSpan(consumed + payload.Start, payload.Length));
                    consumed += length;
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException or JsonException)
        {
            Append($"[BaresipPeer] control connection ended: {exception.Message}");
        }
    }

    /// <summary>A netstring: decimal length, ':', payload, ','.</summary>
    private static bool TryTakeFrame(ReadOnlySpan<byte> data, out (int Start, int Length) payload, out int frameLength)
    {
        payload = default;
        frameLength = 0;
        var colon = data.IndexOf((byte)':');
        if (colon < 0)
        {
            if (data.Length > 10)
            {
                throw new FormatException("netstring length too long");
            }

            return false;
        }

        var length = int.Parse(Encoding.ASCII.GetString(data[..colon]), NumberStyles.None, CultureInfo.InvariantCulture);
        if (data.Length < colon + 1 + length + 1)
        {
            return false;
        }

        if (data[colon + 1 + length] != (byte)',')
        {
            throw new FormatException("netstring without its trailing comma");
        }

        payload = (colon + 1, length);
        frameLength = colon + length + 2;
        return true;
    }

    private void Dispatch(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.TryGetProperty("response", out _))
        {
            var token = root.TryGetProperty("token", out var t) ? t.GetString() : null;
            var ok = root.TryGetProperty("ok", out var o) && o.ValueKind == JsonValueKind.True;
            var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() ?? "" : "";
            TaskCompletionSource<BaresipResponse>? answer;
            lock (gate)
            {
                pending.TryGetValue(token ?? "", out answer);
            }

            answer?.TrySetResult(new BaresipResponse(ok, data));
            return;
        }

        TaskCompletionSource arrived;
        lock (gate)
        {
            var item = BaresipEvent.Parse(events.Count, root);
            events.Add(item);
            log.Append("[event] ").Append(item).Append('\n');
            arrived = eventArrived;
            eventArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        // baresip redraws a call status line ("[0:00:01] audio=64000/64000 (bit/s)") many times a second.
        if (line.Contains("(bit/s)", StringComparison.Ordinal))
        {
            line = line[(line.LastIndexOf("(bit/s)", StringComparison.Ordinal) + 7)..].Trim();
            if (line.Length == 0)
            {
                return;
            }
        }

        lock (gate)
        {
            log.Append(line).Append('\n');
            if (log.Length > MaxLogLength)
            {
                log.Remove(0, log.Length - (MaxLogLength / 2));
            }
        }
    }

    private WavAudio Concatenate(string suffix)
    {
        var parts = RecordingFiles().Where(f => f.EndsWith(suffix, StringComparison.Ordinal)).Select(WavAudio.Read).ToList();
        if (parts.Count == 0)
        {
            return new WavAudio(8000, []);
        }

        return new WavAudio(parts[0].SampleRate, [.. parts.SelectMany(p => p.Samples)]);
    }

    /// <summary>What baresip exits with when a listening port is taken (errno EADDRINUSE).</summary>
    private const int AddressInUseExitCode = 98;

    private sealed class PortTakenException(string message) : InvalidOperationException(message);
}
