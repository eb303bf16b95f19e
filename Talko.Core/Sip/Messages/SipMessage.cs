namespace Talko.Core.Sip.Messages;

/// <summary>What requests and responses share (RFC 3261 section 7). Headers the stack acts on are typed.</summary>
public abstract class SipMessage
{
    public List<SipVia> Vias { get; } = [];

    public required SipNameAddress From { get; set; }

    public required SipNameAddress To { get; set; }

    public required string CallId { get; set; }

    public required SipCSeq CSeq { get; set; }

    public List<SipNameAddress> Contacts { get; } = [];

    /// <summary>"Contact: *" in a REGISTER that removes every binding (RFC 3261 section 10.2.2).</summary>
    public bool ContactIsWildcard { get; set; }

    public List<SipNameAddress> Routes { get; } = [];

    public List<SipNameAddress> RecordRoutes { get; } = [];

    /// <summary>The Expires header in seconds, if present.</summary>
    public long? Expires { get; set; }

    public string? ContentType { get; set; }

    public byte[] Body { get; set; } = [];

    /// <summary>Every other header field, in order.</summary>
    public SipHeaderCollection Headers { get; } = new();

    public SipVia TopVia => Vias[0];

    /// <summary>Which local socket and remote address it arrived on; null for messages built locally.</summary>
    public SipSource? Source { get; set; }

    public abstract bool IsRequest { get; }
}

/// <summary>Where a message came from: the transport protocol, the local endpoint and the remote endpoint.</summary>
public sealed record SipSource(SipTransportProtocol Protocol, System.Net.IPEndPoint Local, System.Net.IPEndPoint Remote);

public enum SipTransportProtocol
{
    Udp,
    Tcp,
}
