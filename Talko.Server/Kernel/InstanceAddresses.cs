using Microsoft.Extensions.Options;

namespace Talko.Server.Kernel;

/// <summary>
/// The addresses this instance advertises in the registry. HTTP comes from configuration (else the heartbeat
/// uses Kestrel's first address); SIP is known only once the SIP engine has bound its port, so the engine's
/// host reports it here rather than writing into the shared options.
/// </summary>
public sealed class InstanceAddresses(IOptions<InstanceAddressOptions> options)
{
    private volatile string? sip;

    /// <summary>Configured HTTP address, or null to use the one Kestrel bound.</summary>
    public string? Http => options.Value.HttpAddress;

    /// <summary>host:port of the SIP engine, or empty while it has not started (or SIP is off).</summary>
    public string Sip => sip ?? options.Value.SipAddress ?? string.Empty;

    /// <summary>Called by the SIP engine's host once its ports are bound.</summary>
    public void AdvertiseSip(string address) => sip = address;
}
