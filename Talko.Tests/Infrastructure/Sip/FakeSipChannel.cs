using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>A channel without sockets: records every send and lets the test inject received bytes.</summary>
internal sealed class FakeSipChannel(SipTransportProtocol protocol, IPEndPoint local) : SipChannel
{
    private readonly ConcurrentQueue<(IPEndPoint Remote, byte[] Data)> sent = new();
    private readonly SemaphoreSlim signal = new(0);

    public static readonly IPEndPoint DefaultLocal = new(IPAddress.Loopback, 5060);
    public static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.10"), 5070);

    public FakeSipChannel() : this(SipTransportProtocol.Udp, DefaultLocal)
    {
    }

    public override SipTransportProtocol Protocol => protocol;

    public override IPEndPoint LocalEndPoint => local;

    public IReadOnlyList<(IPEndPoint Remote, byte[] Data)> Sent => sent.ToList();

    public override Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override ValueTask<bool> SendAsync(IPEndPoint remote, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        sent.Enqueue((remote, data.ToArray()));
        signal.Release();
        return ValueTask.FromResult(true);
    }

    public Task InjectAsync(string text, IPEndPoint? remote = null) => InjectAsync(Encoding.UTF8.GetBytes(text), remote);

    public Task InjectAsync(byte[] data, IPEndPoint? remote = null) => OnReceivedAsync(remote ?? Peer, data).AsTask();

    /// <summary>Every sent message parsed (what was sent must always parse).</summary>
    public List<SipMessage> SentMessages() =>
        sent.Select(s => SipMessageParser.Parse(s.Data, new SipParserOptions(), !IsReliable) is { Message: { } m } ? m
            : throw new InvalidOperationException("unparseable send: " + SipMessageParser.Parse(s.Data, new SipParserOptions(), !IsReliable).Error + "\n" + Encoding.UTF8.GetString(s.Data))).ToList();

    /// <summary>Status codes of sent responses read from their status lines (echoes of malformed requests may not parse).</summary>
    public List<int> SentStatusCodes() =>
        sent.Select(s => Encoding.UTF8.GetString(s.Data)).Where(t => t.StartsWith("SIP/2.0 ", StringComparison.Ordinal))
            .Select(t => int.Parse(t.AsSpan(8, 3))).ToList();

    public List<SipResponse> SentResponses() => SentMessages().OfType<SipResponse>().ToList();

    public List<SipRequest> SentRequests() => SentMessages().OfType<SipRequest>().ToList();

    public void Clear()
    {
        while (sent.TryDequeue(out _))
        { }
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
