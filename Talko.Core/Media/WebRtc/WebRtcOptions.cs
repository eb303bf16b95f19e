namespace Talko.Core.Media.WebRtc;

/// <summary>Limits and addresses of WebRTC legs (configuration section Talko:Media:WebRtc).</summary>
public sealed class WebRtcOptions
{
    /// <summary>
    /// The address put in the host candidates of SDP answers; empty: Media:BindAddress (which must then not be a
    /// wildcard). Set the instance's reachable address when the media sockets bind to 0.0.0.0.
    /// </summary>
    public string CandidateAddress { get; set; } = "";

    /// <summary>Largest SDP offer accepted from a client, in characters (a browser's audio-only offer is about 3-5 KB).</summary>
    public int MaxOfferLength { get; set; } = 16 * 1024;

    /// <summary>How long a new leg's DTLS handshake may take; a leg that is not secured by then leaves the call.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Consent freshness (RFC 7675): a leg without a valid ICE check for this long leaves the call.</summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// TCP port of the passive ICE-TCP candidate (RFC 6544) for clients whose network blocks UDP; 0: off (no TCP
    /// candidate in answers). One listener per instance, on Media:BindAddress; connections are matched to legs by the
    /// ICE username of their first check.
    /// </summary>
    public int IceTcpPort { get; set; }

    /// <summary>Most ICE-TCP connections open at once on the instance; more are closed when accepted.</summary>
    public int MaxIceTcpConnections { get; set; } = 512;

    /// <summary>How long a new ICE-TCP connection may take to send its first check; it is closed after that.</summary>
    public TimeSpan IceTcpFirstCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an instance waits for the call's owner to answer a WebRTC join, leave or mute relayed from a hub
    /// connection on this instance (ADR 0724); the client is then told to try again.
    /// </summary>
    public TimeSpan RelayTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (IceTcpPort is < 0 or > 65535 || MaxIceTcpConnections < 1 || IceTcpFirstCheckTimeout <= TimeSpan.Zero || RelayTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Media:WebRtc needs IceTcpPort 0-65535, MaxIceTcpConnections >= 1 and positive IceTcpFirstCheckTimeout and RelayTimeout.");
        }

        if (!string.IsNullOrEmpty(CandidateAddress) && !System.Net.IPAddress.TryParse(CandidateAddress, out _))
        {
            throw new ArgumentException($"Media:WebRtc:CandidateAddress '{CandidateAddress}' is not an IP address.");
        }

        if (MaxOfferLength < 512 || HandshakeTimeout <= TimeSpan.Zero || ConsentTimeout < TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException("Media:WebRtc needs MaxOfferLength >= 512, a positive HandshakeTimeout and ConsentTimeout >= 5 s.");
        }
    }
}
