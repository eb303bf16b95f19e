using Talko.Core.Sip;

namespace Talko.Server.Sip;

/// <summary>
/// This instance's SIP engine once <see cref="SipEngineHost"/> has started it (null before, and when SIP is off), and the
/// address it advertises. A holder with no dependencies: what needs the engine reads it here, so nothing that the engine
/// itself depends on (admission, placement, the calls feature) has to depend on the hosted service.
/// </summary>
public sealed class RunningSipEngine
{
    private volatile SipEngine? engine;
    private volatile string? sipAddress;

    public SipEngine? Engine => engine;

    /// <summary>host:port that devices and other instances use to reach the engine.</summary>
    public string? SipAddress => sipAddress;

    internal void Started(SipEngine started, string address)
    {
        engine = started;
        sipAddress = address;
    }
}
