using Org.BouncyCastle.Tls;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// A finished DTLS-SRTP handshake: the negotiated profile and both directions' SRTP keys. The DTLS association
/// stays alive behind it on its own thread, so a lost final flight is retransmitted and a close_notify or fatal
/// alert from the peer is noticed (<see cref="Closed"/>). Disposing sends close_notify.
/// </summary>
public sealed class DtlsSrtpSession : IDisposable
{
    private readonly DtlsTransport transport;
    private readonly DtlsPacketChannel channel;
    private readonly Task closed;

    internal DtlsSrtpSession(DtlsTransport transport, DtlsPacketChannel channel, SrtpKeyingMaterial keys, bool isServer)
    {
        this.transport = transport;
        this.channel = channel;
        Keys = keys;
        IsServer = isServer;
        closed = Task.Factory.StartNew(KeepAlive, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public SrtpProfile Profile => Keys.Profile;

    public SrtpKeyingMaterial Keys { get; }

    public bool IsServer { get; }

    /// <summary>Completes when the association ends: the peer closed it, it failed, or this side disposed it.</summary>
    public Task Closed => closed;

    /// <summary>The SRTP context for what this side sends.</summary>
    public SrtpContext CreateSender() => Keys.CreateSender(IsServer);

    /// <summary>The SRTP context for what the peer sends.</summary>
    public SrtpContext CreateReceiver() => Keys.CreateReceiver(IsServer);

    private void KeepAlive()
    {
        var buffer = new byte[transport.GetReceiveLimit()];
        try
        {
            while (!channel.IsClosed)
            {
                transport.Receive(buffer, 0, buffer.Length, 500); // WebRTC audio has no DTLS application data; this only services the association
            }
        }
        catch (Exception)
        {
            // A fatal alert, a closed channel or hostile input ends the association, whatever BouncyCastle throws for
            // it; consent freshness decides the leg's fate.
        }
    }

    public void Dispose()
    {
        try
        {
            transport.Close();
        }
        catch (Exception exception) when (exception is TlsException or IOException)
        {
            // already failed
        }

        channel.Close();
    }
}
