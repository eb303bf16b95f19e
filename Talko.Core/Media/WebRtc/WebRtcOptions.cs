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

    internal void Validate()
    {
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
