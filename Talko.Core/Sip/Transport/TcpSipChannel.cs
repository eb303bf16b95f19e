using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transport;

/// <summary>
/// SIP over TCP on one IPv4 or IPv6 endpoint. Each connection is framed by Content-Length
/// (RFC 3261 section 18.3); responses go back on the connection the request came on (section 18.2.2).
/// Inbound connections are capped per source address below the global cap, each message must arrive within
/// <see cref="SipTransportOptions.TcpMessageTimeout"/>, and refusals are counted and logged once per interval.
/// </summary>
public sealed class TcpSipChannel(IPEndPoint bindTo, SipTransportOptions options, SipParserOptions parserOptions, TimeProvider time, ILogger logger) : SipChannel
{
    private readonly Socket listener = new(bindTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    private readonly ConcurrentDictionary<IPEndPoint, Connection> connections = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Dictionary<IPAddress, int> inboundPerAddress = new();
    private readonly Lock countGate = new();
    private readonly TcpRefusalLog refusals = new(options, time, logger);
    private int disposed;
    private Task? acceptLoop;

    public override SipTransportProtocol Protocol => SipTransportProtocol.Tcp;

    public override IPEndPoint LocalEndPoint => (IPEndPoint?)listener.LocalEndPoint ?? bindTo;

    public int ConnectionCount => connections.Count;

    /// <summary>Inbound connections refused because their address already held its share.</summary>
    public long RefusedPerAddress => refusals.PerAddressTotal;

    /// <summary>Inbound connections refused because every slot was taken.</summary>
    public long RefusedGlobal => refusals.GlobalTotal;

    /// <summary>Connections closed because a message did not arrive in full within the message timeout.</summary>
    public long ClosedAtMessageDeadline => refusals.DeadlineTotal;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        if (bindTo.AddressFamily == AddressFamily.InterNetworkV6)
        {
            listener.DualMode = false;
        }

        listener.Bind(bindTo);
        listener.Listen(128);
        acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            if (TryAdmit(remote) is { } refusal)
            {
                refusals.Record(refusal, remote);
                socket.Dispose();
                continue;
            }
            Track(socket, remote, inbound: true);
        }
    }

    /// <summary>Counts an inbound connection against its address, or says which limit refuses it.</summary>
    private TcpRefusal? TryAdmit(IPEndPoint remote)
    {
        if (connections.Count >= options.MaxTcpConnections)
        {
            return TcpRefusal.GlobalLimit;
        }

        var address = SourceOf(remote);
        lock (countGate)
        {
            var open = inboundPerAddress.GetValueOrDefault(address);
            if (open >= options.MaxTcpConnectionsPerAddress)
            {
                return TcpRefusal.PerAddressLimit;
            }

            inboundPerAddress[address] = open + 1;
            return null;
        }
    }

    private void Release(Connection connection)
    {
        if (!connection.Inbound || Interlocked.Exchange(ref connection.Released, 1) == 1)
        {
            return;
        }

        var address = SourceOf(connection.Remote);
        lock (countGate)
        {
            var open = inboundPerAddress.GetValueOrDefault(address) - 1;
            if (open <= 0)
            {
                inboundPerAddress.Remove(address);
            }
            else
            {
                inboundPerAddress[address] = open;
            }
        }
    }

    // One host seen over IPv4 and as an IPv4-mapped IPv6 address is one source.
    private static IPAddress SourceOf(IPEndPoint remote) => remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;

    private Connection Track(Socket socket, IPEndPoint remote, bool inbound = false)
    {
        var connection = new Connection(socket, remote, inbound);
        if (connections.TryRemove(remote, out var previous))
        {
            previous.Close();
        }

        connections[remote] = connection;
        connection.ReadLoop = Task.Run(() => ReadLoopAsync(connection), CancellationToken.None);
        return connection;
    }

    private async Task ReadLoopAsync(Connection connection)
    {
        var framer = new SipStreamFramer(parserOptions);
        var buffer = new byte[8192];
        using var idle = time.CreateTimer(_ => connection.Close(), null, options.TcpIdleTimeout, Timeout.InfiniteTimeSpan);
        // Runs only while part of a message is buffered; trickled bytes do not restart it (unlike the idle timer).
        using var messageDeadline = time.CreateTimer(_ =>
        {
            refusals.Record(TcpRefusal.MessageDeadline, connection.Remote);
            connection.Close();
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var deadlineRunning = false;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                int read;
                try
                {
                    read = await connection.Socket.ReceiveAsync(buffer, SocketFlags.None, stopping.Token);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    break;
                }
                if (read == 0)
                {
                    break;
                }

                idle.Change(options.TcpIdleTimeout, Timeout.InfiniteTimeSpan);
                framer.Append(buffer.AsSpan(0, read));
                var tookMessage = false;
                while (framer.TryTake(out var message))
                {
                    tookMessage = true;
                    try
                    {
                        await OnReceivedAsync(connection.Remote, message);
                    }
                    catch (Exception ex)
                    {
                        SipTransportLog.HandlerFailed(logger, ex);
                    }
                }
                if (framer.IsBroken)
                {
                    SipTransportLog.StreamBroken(logger, connection.Remote);
                    break;
                }
                if (framer.BufferedBytes == 0)
                {
                    if (deadlineRunning)
                    {
                        messageDeadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    }

                    deadlineRunning = false;
                }
                else if (!deadlineRunning || tookMessage)
                {
                    // A new message has begun (the first bytes, or the rest after a complete one): its clock starts now.
                    messageDeadline.Change(options.TcpMessageTimeout, Timeout.InfiniteTimeSpan);
                    deadlineRunning = true;
                }
            }
        }
        finally
        {
            connections.TryRemove(new KeyValuePair<IPEndPoint, Connection>(connection.Remote, connection));
            connection.Close();
            Release(connection);
        }
    }

    public override async ValueTask<bool> SendAsync(IPEndPoint remote, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!connections.TryGetValue(remote, out var connection))
            {
                if (connections.Count >= options.MaxTcpConnections)
                {
                    return false;
                }

                var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
                timeout.CancelAfter(options.TcpConnectTimeout);
                try
                {
                    await socket.ConnectAsync(remote, timeout.Token);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                connection = Track(socket, remote);
            }
            await connection.SendLock.WaitAsync(cancellationToken);
            try
            {
                var remaining = data;
                while (!remaining.IsEmpty)
                {
                    var sent = await connection.Socket.SendAsync(remaining, SocketFlags.None, cancellationToken);
                    remaining = remaining[sent..];
                }
            }
            finally
            {
                connection.SendLock.Release();
            }
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            SipTransportLog.SendFailed(logger, "TCP", remote, ex.Message);
            return false;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        // The engine's stop and its disposal both close channels; the second close has nothing to do.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        listener.Dispose();
        foreach (var connection in connections.Values)
        {
            connection.Close();
        }

        if (acceptLoop is not null)
        {
            await acceptLoop.ConfigureAwait(false);
        }

        foreach (var connection in connections.Values)
        {
            if (connection.ReadLoop is { } loop)
            {
                await loop.ConfigureAwait(false);
            }
        }

        stopping.Dispose();
    }

    private sealed class Connection(Socket socket, IPEndPoint remote, bool inbound)
    {
        public int Released;
        public Socket Socket { get; } = socket;
        public IPEndPoint Remote { get; } = remote;
        public bool Inbound { get; } = inbound;
        public SemaphoreSlim SendLock { get; } = new(1, 1);
        public Task? ReadLoop { get; set; }

        public void Close()
        {
            try
            { Socket.Shutdown(SocketShutdown.Both); }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
            Socket.Dispose();
        }
    }
}
