namespace Talko.Server.Drain;

/// <summary>How an instance drains (Talko:Drain). Times count from the moment draining starts.</summary>
public sealed class DrainOptions
{
    public const string Section = "Talko:Drain";

    /// <summary>
    /// Time for the load balancer to see readiness fail before clients are asked to move: a client that
    /// reconnected sooner could be sent straight back here. At least (health check interval x failures
    /// to mark down) of the load balancer, plus one interval.
    /// </summary>
    public TimeSpan LoadBalancerGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Realtime clients are asked to reconnect spread evenly over this window (after the grace).</summary>
    public TimeSpan ReconnectWindow { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Each client's slot moves by a random amount within this span, so instances draining together do not ask in lockstep.</summary>
    public TimeSpan ReconnectJitter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After asking, how long a client has to close by itself before the server closes it.</summary>
    public TimeSpan ReconnectCloseAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Live calls still going this long after the drain began are moved to another instance.</summary>
    public TimeSpan CallDeadline { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A moved call's SIP devices are referred to the new owner (REFER, RFC 3515); this long to answer it before the fallback (re-invite from the new owner, or hang up).</summary>
    public TimeSpan CallTransferAnswerTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>After a device accepts the REFER, how long it has to leave this instance (its BYE) before its leg here is hung up.</summary>
    public TimeSpan CallTransferLeaveWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The process stops at this point whatever is left. Keep the orchestrator's stop timeout (ECS stopTimeout, Kubernetes terminationGracePeriodSeconds, compose stop_grace_period) above it.</summary>
    public TimeSpan HardDeadline { get; set; } = TimeSpan.FromSeconds(110);

    /// <summary>How often the drain checks whether anything is left.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Stop the process once drained. Off for hosts embedded in something else that stops them.</summary>
    public bool ExitWhenDrained { get; set; } = true;

    /// <summary>SIGTERM starts a drain (and the process exits when it is done) instead of stopping at once. A second SIGTERM stops at once.</summary>
    public bool DrainOnSigterm { get; set; } = true;

    /// <summary>How a draining instance answers a SIP REGISTER that adds or refreshes a binding.</summary>
    public SipDrainSteering SipSteering { get; set; } = SipDrainSteering.ShortExpiry;

    /// <summary>The expiry granted to refreshes while draining (<see cref="SipDrainSteering.ShortExpiry"/>).</summary>
    public int SipShortExpirySeconds { get; set; } = 30;

    /// <summary>Retry-After sent with 503 (<see cref="SipDrainSteering.RetryElsewhere"/>).</summary>
    public int SipRetryAfterSeconds { get; set; } = 5;

    /// <summary>Devices whose User-Agent contains one of these get 503 whatever <see cref="SipSteering"/> says (they fail over on 503).</summary>
    public List<string> SipRetryElsewhereUserAgents { get; set; } = [];
}

public enum SipDrainSteering
{
    /// <summary>200 with a short expiry: the device re-registers soon and, through DNS or the SIP load balancer, lands elsewhere.</summary>
    ShortExpiry,

    /// <summary>503 with Retry-After (RFC 3261 section 21.5.4): the device tries its next server.</summary>
    RetryElsewhere,
}
