using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Transport;

/// <summary>
/// The transport layer (RFC 3261 section 18): parses what channels receive, stamps received/rport on
/// requests (RFC 3581), answers or drops malformed input, and routes responses back per the top Via.
/// Nothing malformed escapes as an exception.
/// </summary>
public sealed class SipTransport : IAsyncDisposable
{
    private readonly List<SipChannel> channels;
    private readonly SipParserOptions parserOptions;
    private readonly ILogger logger;

    public SipTransport(IEnumerable<SipChannel> channels, SipParserOptions parserOptions, ILogger logger)
    {
        this.channels = [.. channels];
        parserOptions.Validate();
        this.parserOptions = parserOptions;
        this.logger = logger;
        foreach (var channel in this.channels)
        {
            channel.Received = OnReceivedAsync;
        }
    }

    /// <summary>Receives every well-formed message, with <see cref="SipMessage.Source"/> set.</summary>
    public Func<SipMessage, ValueTask>? MessageReceived { get; set; }

    public SipTransportStats Stats { get; } = new();

    public IReadOnlyList<SipChannel> Channels => channels;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var channel in channels)
        {
            await channel.StartAsync(cancellationToken);
            SipTransportLog.Listening(logger, channel.Protocol.ToString().ToUpperInvariant(), channel.LocalEndPoint);
        }
    }

    public SipChannel? FindChannel(SipTransportProtocol protocol, AddressFamily family) =>
        channels.Find(c => c.Protocol == protocol && c.LocalEndPoint.AddressFamily == family);

    private SipChannel? FindChannel(SipSource source) =>
        channels.Find(c => c.Protocol == source.Protocol && c.LocalEndPoint.Equals(source.Local))
        ?? FindChannel(source.Protocol, source.Remote.AddressFamily);

    /// <summary>A Via naming this stack's channel for <paramref name="target"/>, with rport requested (RFC 3581 section 3).</summary>
    public SipVia? CreateVia(SipTarget target, string branch)
    {
        var channel = FindChannel(target.Protocol, target.EndPoint.AddressFamily);
        if (channel is null)
        {
            return null;
        }

        var local = channel.LocalEndPoint;
        var host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local.Address}]" : local.Address.ToString();
        var via = new SipVia(target.Protocol.ToString(), host, local.Port) { Branch = branch };
        via.Parameters.Set("rport", null);
        return via;
    }

    /// <summary>The local endpoint used towards <paramref name="target"/>, for Contact headers.</summary>
    public IPEndPoint? LocalEndPointFor(SipTarget target) => FindChannel(target.Protocol, target.EndPoint.AddressFamily)?.LocalEndPoint;

    public async ValueTask<bool> SendRequestAsync(SipRequest request, SipTarget target, CancellationToken cancellationToken = default)
    {
        var channel = FindChannel(target.Protocol, target.EndPoint.AddressFamily);
        if (channel is null)
        {
            return false;
        }

        SipMetrics.RequestSent(request.Method);
        return await channel.SendAsync(target.EndPoint, SipMessageWriter.ToBytes(request), cancellationToken);
    }

    /// <summary>Sends a response where RFC 3261 section 18.2.2 and RFC 3581 section 4 say it goes.</summary>
    public async ValueTask<bool> SendResponseAsync(SipResponse response, SipSource? requestSource, CancellationToken cancellationToken = default)
    {
        if (response.Vias.Count == 0)
        {
            return false;
        }

        SipMetrics.ResponseSent(response.CSeq.Method, response.StatusCode);
        var bytes = SipMessageWriter.ToBytes(response);
        return await SendResponseBytesAsync(response.TopVia, requestSource, bytes, cancellationToken);
    }

    /// <summary>Sends an already serialized response the way <see cref="SendResponseAsync"/> routes it (RFC 3261 section 18.2.2).</summary>
    internal async ValueTask<bool> SendResponseBytesAsync(SipVia topVia, SipSource? source, byte[] bytes, CancellationToken cancellationToken = default)
    {
        if (source is not null)
        {
            var channel = FindChannel(source);
            if (channel is null)
            {
                return false;
            }
            // Reliable: reuse the connection the request came on. Unreliable: received + rport.
            var destination = channel.IsReliable ? source.Remote : ResponseDestination(topVia, source.Remote);
            return await channel.SendAsync(destination, bytes, cancellationToken);
        }
        if (topVia.Received is null && IPAddress.TryParse(topVia.Host.Trim('[', ']'), out _) is false)
        {
            return false;
        }

        var target = ResponseDestination(topVia, null);
        var protocol = topVia.Transport == "TCP" ? SipTransportProtocol.Tcp : SipTransportProtocol.Udp;
        var fallback = FindChannel(protocol, target.AddressFamily);
        return fallback is not null && await fallback.SendAsync(target, bytes, cancellationToken);
    }

    internal static IPEndPoint ResponseDestination(SipVia via, IPEndPoint? remote)
    {
        var address = via.Received is { } received && IPAddress.TryParse(received, out var r) ? r
            : IPAddress.TryParse(via.Host.Trim('[', ']'), out var h) ? h
            : remote?.Address ?? IPAddress.Loopback;
        var port = via.Rport ?? via.Port ?? 5060;
        return new IPEndPoint(address, port);
    }

    private async ValueTask OnReceivedAsync(SipChannel channel, IPEndPoint remote, ReadOnlyMemory<byte> data)
    {
        Stats.CountReceived();
        var source = new SipSource(channel.Protocol, channel.LocalEndPoint, remote);
        var result = SipMessageParser.Parse(data.Span, parserOptions, isDatagram: !channel.IsReliable);
        if (result.Error is { } error)
        {
            await HandleMalformedAsync(error, source);
            return;
        }
        var message = result.Message!;
        message.Source = source;
        if (message is SipRequest request)
        {
            StampReceived(request.TopVia, remote);
            SipMetrics.RequestReceived(request.Method);
        }
        else if (message.Vias.Count != 1)
        {
            // A UA discards responses with more than one Via (RFC 3261 section 8.1.3.3, RFC 4475 3.3.8).
            Stats.CountResponseDropped();
            SipTransportLog.ResponseDropped(logger, remote, "more than one Via");
            return;
        }
        if (message is SipResponse response)
        {
            SipMetrics.ResponseReceived(response.CSeq.Method, response.StatusCode);
        }

        if (MessageReceived is { } handler)
        {
            await handler(message);
        }
    }

    /// <summary>RFC 3261 section 18.2.1 and RFC 3581 section 4: record where the request really came from.</summary>
    internal static void StampReceived(SipVia via, IPEndPoint remote)
    {
        var remoteAddress = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var sentByMatches = IPAddress.TryParse(via.Host.Trim('[', ']'), out var sentBy) && sentBy.Equals(remoteAddress);
        if (via.HasRport)
        {
            via.Parameters.Set("rport", remote.Port.ToString(CultureInfo.InvariantCulture));
            via.Received = remoteAddress.ToString();
        }
        else if (!sentByMatches)
        {
            via.Received = remoteAddress.ToString();
        }
    }

    private async ValueTask HandleMalformedAsync(SipParseError error, SipSource source)
    {
        var status = error.StatusCode;
        if (status == 0 || error.Request is not { } request || request.Method == SipMethods.Ack)
        {
            Stats.CountMalformedDropped();
            SipMetrics.MalformedMessage(answered: false);
            SipTransportLog.Malformed(logger, source.Remote, error.Kind, error.Detail, 0);
            return;
        }
        if (request.TopVia is { } topVia)
        {
            StampReceived(topVia, source.Remote);
        }

        var bytes = SipMessageWriter.ErrorResponse(request, status, SipIdentifiers.NewTag(),
            [new SipHeaderField(SipHeaderNames.Reason, $"SIP;cause={status};text=\"{error.Detail.Replace('"', '\'')}\"")], error.ReasonPhrase);
        Stats.CountMalformedAnswered();
        SipMetrics.MalformedMessage(answered: true);
        SipTransportLog.Malformed(logger, source.Remote, error.Kind, error.Detail, status);
        if (request.TopVia is { } via)
        {
            await SendResponseBytesAsync(via, source, bytes, CancellationToken.None);
            return;
        }
        // No usable top Via: the only place known to reach the sender is where the request came from, the same TCP
        // connection or the datagram's source address and port (ADR 0165).
        if (FindChannel(source) is { } channel)
        {
            await channel.SendAsync(source.Remote, bytes, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in channels)
        {
            await channel.DisposeAsync();
        }
    }
}
