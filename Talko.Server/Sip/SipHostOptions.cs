namespace Talko.Server.Sip;

/// <summary>
/// How this instance runs its SIP engine (configuration section Talko:Sip). The deeper engine limits bind from
/// sub-sections of the same name as <see cref="Talko.Core.Sip.SipEngineOptions"/>'s properties (Timers, Registrar,
/// Transport, Parser, UserAgent, Conferencing, Digest; see <see cref="SipEngineSections"/>); the digest realm is always
/// the accounts' Talko:Accounts:SipRealm so stored H(A1) values match.
/// </summary>
public sealed class SipHostOptions
{
    public const string Section = "Talko:Sip";

    /// <summary>False runs the web app without SIP (joining a call then answers 503).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>IP addresses to listen on (loopback by default; set the host's address in production).</summary>
    public List<string> BindAddresses { get; set; } = ["127.0.0.1"];

    public bool EnableUdp { get; set; } = true;

    public bool EnableTcp { get; set; } = true;

    /// <summary>UDP port (0 picks a free one).</summary>
    public int UdpPort { get; set; } = 5060;

    /// <summary>TCP port (0 picks a free one, the same as UDP's when it can).</summary>
    public int TcpPort { get; set; } = 5060;

    /// <summary>
    /// When the configured ports are taken (another SIP service on 5060, a second instance on one machine), bind free
    /// ports instead and log which. False: log the failure and run without SIP.
    /// </summary>
    public bool FallbackToFreePort { get; set; } = true;

    /// <summary>Host devices use to reach this instance (in join URIs and 302 Contacts); default: the first bind address.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Host part of URIs the engine originates; default: the advertised host.</summary>
    public string? Domain { get; set; }

    /// <summary>Most live SIP transactions (full state); beyond it new requests get 503.</summary>
    public int MaxTransactions { get; set; } = Talko.Core.Sip.SipEngineOptions.DefaultMaxTransactions;

    /// <summary>
    /// Most UDP non-INVITE server transactions kept in compact form for Timer J (32 s), 2 per REGISTER; beyond it the
    /// oldest is dropped, never a 503 (ADR 0161).
    /// </summary>
    public int MaxCompletedTransactions { get; set; } = Talko.Core.Sip.SipEngineOptions.DefaultMaxCompletedTransactions;

    /// <summary>
    /// Let the channel's receive loop go on while a new INVITE waits (authentication, admission, media), so one slow
    /// INVITE does not hold up other calls' signalling; at most 1,000 wait off the loop (ADR 0112).
    /// </summary>
    public bool ConcurrentInvites { get; set; } = true;

    /// <summary>
    /// Let the receive loop go on while a REGISTER waits for the binding or credential store; one address-of-record's
    /// REGISTERs still apply in arrival order, at most 32 queued (beyond: 503), and at most 1,000 wait off the loop (ADR 0112).
    /// </summary>
    public bool ConcurrentRegisters { get; set; } = true;
}
