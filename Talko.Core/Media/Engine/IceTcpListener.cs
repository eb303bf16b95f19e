using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Talko.Core.Media.WebRtc;
using Talko.Core.Media.WebRtc.Stun;

namespace Talko.Core.Media.Engine;

/// <summary>
/// The instance's passive ICE-TCP candidate (RFC 6544): one listening socket for every WebRTC leg. A connection's first
/// frame must be a STUN Binding request whose USERNAME starts with a live leg's ufrag; the connection then belongs to
/// that leg, whose transport checks the request's integrity like any other. Anything else, a connection silent past
/// <see cref="WebRtcOptions.IceTcpFirstCheckTimeout"/>, or one over <see cref="WebRtcOptions.MaxIceTcpConnections"/> is closed.
/// </summary>
internal sealed class IceTcpListener : IDisposable
{
    private readonly Socket listener;
    private readonly WebRtcOptions options;
    private readonly int maxFrameLength;
    private readonly Func<string, WebRtcMediaLegTransport?> findLeg;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;
    private int open;

    public IceTcpListener(IPAddress address, WebRtcOptions options, int maxFrameLength, Func<string, WebRtcMediaLegTransport?> findLeg, ILogger logger)
    {
        this.options = options;
        this.maxFrameLength = maxFrameLength;
        this.findLeg = findLeg;
        this.logger = logger;
        listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, options.IceTcpPort));
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        accepting = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            if (Interlocked.Increment(ref open) > options.MaxIceTcpConnections)
            {
                Interlocked.Decrement(ref open);
                accepted.Dispose();
                continue;
            }

            var connection = new IceTcpConnection(accepted, maxFrameLength, () => Interlocked.Decrement(ref open));
            _ = Task.Run(() => AdoptAsync(connection));
        }
    }

    /// <summary>Reads the first check and hands the connection to the leg it names, or closes it.</summary>
    private async Task AdoptAsync(IceTcpConnection connection)
    {
        var frame = new byte[maxFrameLength];
        int length;
        using (var firstCheck = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token))
        {
            firstCheck.CancelAfter(options.IceTcpFirstCheckTimeout);
            try
            {
                length = await connection.Reader.ReadFrameAsync(frame, firstCheck.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                length = -1;
            }
        }

        var leg = length > 0 ? FindLeg(frame.AsSpan(0, length)) : null;
        if (leg is null || !leg.AttachTcp(connection, frame.AsSpan(0, length)))
        {
            MediaEngineLog.IceTcpRefused(logger, connection.Remote);
            connection.Dispose();
        }
    }

    private WebRtcMediaLegTransport? FindLeg(ReadOnlySpan<byte> frame)
    {
        if (StunMessage.TryParse(frame, out var message) != StunParseResult.Ok || !message.IsBindingRequest || !message.HasUsername)
        {
            return null;
        }

        var username = message.Username;
        var colon = username.IndexOf((byte)':');
        return colon <= 0 ? null : findLeg(Encoding.ASCII.GetString(username[..colon]));
    }

    public void Dispose()
    {
        stopping.Cancel();
        listener.Dispose();
        accepting.Wait(TimeSpan.FromSeconds(5));
        stopping.Dispose();
    }
}
