using System.Net;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Core.Sip.Transactions;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip;

/// <summary>Everything the SIP engine can be told, grouped by layer, each with safe defaults.</summary>
public sealed class SipEngineOptions
{
    /// <summary>Addresses to listen on; IPv4 and IPv6 both work (loopback by default).</summary>
    public List<IPAddress> BindAddresses { get; set; } = [IPAddress.Loopback];

    public bool EnableUdp { get; set; } = true;

    public bool EnableTcp { get; set; } = true;

    /// <summary>UDP port (0 picks a free one).</summary>
    public int UdpPort { get; set; } = 5060;

    /// <summary>TCP port (0 picks a free one).</summary>
    public int TcpPort { get; set; } = 5060;

    /// <summary>Host part of URIs the engine originates (From of INVITEs it rings out with).</summary>
    public string Domain { get; set; } = "localhost";

    /// <summary>Digest realm; shortcut for <see cref="SipDigestOptions.Realm"/>.</summary>
    public string Realm
    {
        get => Digest.Realm;
        set => Digest.Realm = value;
    }

    public const int DefaultMaxTransactions = 50_000;

    public const int DefaultMaxCompletedTransactions = 500_000;

    /// <summary>
    /// Most live transactions (server and client, full state); beyond it new requests get 503. UDP non-INVITE server
    /// transactions waiting out Timer J are not counted: see <see cref="MaxCompletedTransactions"/>.
    /// </summary>
    public int MaxTransactions { get; set; } = DefaultMaxTransactions;

    /// <summary>
    /// Most UDP non-INVITE server transactions held in compact Completed form (final response bytes only) for Timer J
    /// (64*T1 = 32 s): 2 per REGISTER, so the default covers about 7,800 REGISTER/s sustained. Beyond it the oldest is
    /// dropped (a very late retransmission is then processed again), never a 503 (ADR 0161).
    /// </summary>
    public int MaxCompletedTransactions { get; set; } = DefaultMaxCompletedTransactions;

    /// <summary>
    /// A new INVITE that waits (authentication, admission, adoption of a moved call, media) lets the channel's receive
    /// loop go on, so one slow INVITE does not hold up other calls' signalling (ADR 0112). Tests that inject
    /// messages and read the answers at once turn it off.
    /// </summary>
    public bool ConcurrentInvites { get; set; } = true;

    /// <summary>
    /// A REGISTER that waits on the binding store (Redis when scaled out) or the credential store lets the channel's
    /// receive loop go on with other requests meanwhile (ADR 0112); one address-of-record's REGISTERs still apply in
    /// order. Tests that inject messages and read the answers at once turn it off.
    /// </summary>
    public bool ConcurrentRegisters { get; set; } = true;

    public SipParserOptions Parser { get; set; } = new();

    public SipTransportOptions Transport { get; set; } = new();

    public SipTimerOptions Timers { get; set; } = new();

    public SipUserAgentOptions UserAgent { get; set; } = new();

    public SipDigestOptions Digest { get; set; } = new();

    public SipRegistrarOptions Registrar { get; set; } = new();

    public ConferencingOptions Conferencing { get; set; } = new();
}
