namespace Talko.Server.Kernel;

/// <summary>The addresses this instance advertises; by default the first address Kestrel listens on.</summary>
public sealed class InstanceAddressOptions
{
    /// <summary>HTTP address other instances and tools use to reach this one (default: the first address Kestrel listens on).</summary>
    public string? HttpAddress { get; set; }

    /// <summary>SIP address (host:port) advertised for redirects to the owner of a call.</summary>
    public string? SipAddress { get; set; }
}
