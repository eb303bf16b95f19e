using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Talko.LoadClient;

/// <summary>
/// A minimal SMTP receiver on loopback (RFC 5321 commands only, no TLS, no auth) that keeps the one-time
/// code of each mail by recipient, so the load client can sign users in through the real auth API
/// (configure the server with Talko:Accounts:Smtp:Host=127.0.0.1, Port, EnableTls=false).
/// </summary>
public sealed partial class SmtpCodeSink : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> codes = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    /// <param name="port">0 picks a free port.</param>
    public SmtpCodeSink(int port = 0)
    {
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The code mailed to <paramref name="address"/>, waiting for the mail if it has not come yet.</summary>
    public Task<string> CodeForAsync(string address, TimeSpan timeout) =>
        codes.GetOrAdd(address, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 talko-load-client ESMTP");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                    case "HELO":
                        await writer.WriteLineAsync("250 talko-load-client");
                        break;
                    case "MAIL":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        recipients.Add(AngleAddress().Match(line).Groups[1].Value);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var body = new StringBuilder();
                        while (await reader.ReadLineAsync(timeout.Token) is { } data && data != ".")
                        {
                            body.AppendLine(data);
                        }

                        Deliver(recipients, body.ToString());
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
        {
            // A broken mail session only costs that one code; the sign-in waiting for it times out.
        }
    }

    private void Deliver(List<string> recipients, string message)
    {
        var bodyStart = message.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var code = SixDigits().Match(bodyStart < 0 ? message : message[bodyStart..]);
        if (!code.Success)
        {
            return;
        }

        foreach (var recipient in recipients)
        {
            codes.GetOrAdd(recipient, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(code.Groups[1].Value);
        }
    }

    [GeneratedRegex("<([^>]*)>")]
    private static partial Regex AngleAddress();

    [GeneratedRegex(@"\b(\d{6})\b")]
    private static partial Regex SixDigits();
}
