using System.Diagnostics;
using System.Net.Sockets;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// A redis-server of a test's own on a free loopback port, which the test may stop and start again (on the same port)
/// to inject an outage. Needs redis-server on the PATH (scripts/test.sh installs it).
/// </summary>
public sealed class PrivateRedisServer : IAsyncDisposable
{
    private Process? process;

    public int Port { get; } = FreePort.Find();

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    public async Task StartAsync()
    {
        process = Process.Start(new ProcessStartInfo("redis-server", $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        await TestTimeouts.EventuallyAsync(async () => await AcceptsAsync(), TestTimeouts.Default, $"redis-server on port {Port} accepting connections");
    }

    /// <summary>Kills the server at once, as a crash or a network cut would.</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        }

        process?.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception exception) when (exception is SocketException or TimeoutException)
        {
            return false;
        }
    }

}
