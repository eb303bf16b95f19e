namespace Talko.Core.Sip.Transactions;

/// <summary>The timer base values of RFC 3261 section 17 (table 4); the lettered timers derive from them.</summary>
public sealed class SipTimerOptions
{
    /// <summary>RTT estimate; retransmission intervals start here.</summary>
    public TimeSpan T1 { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Cap on non-INVITE request and INVITE response retransmission intervals.</summary>
    public TimeSpan T2 { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>How long a message may stay in the network.</summary>
    public TimeSpan T4 { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D: wait for response retransmissions in the INVITE client Completed state (at least 32 s on UDP).</summary>
    public TimeSpan TimerD { get; set; } = TimeSpan.FromSeconds(32);

    /// <summary>Send 100 Trying as soon as an INVITE server transaction starts (section 17.2.1).</summary>
    public bool SendTryingImmediately { get; set; } = true;

    /// <summary>Timers B, F, H, J, L and M: 64*T1.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;
}
