namespace Talko.Core.Eventing;

/// <summary>
/// Tells when this instance's link to the cross-instance backplane (Redis) came back after a loss: events published
/// meanwhile may never have arrived, so clients must be told to resync. In-process, the link never breaks.
/// </summary>
public interface IBackplaneHealth
{
    /// <summary>Raised once each time the link is restored after it was lost.</summary>
    event Action? Restored;

    /// <summary>False while the link is down.</summary>
    bool IsConnected { get; }
}

/// <summary>The embedded mode's backplane is this process: always connected.</summary>
public sealed class InProcessBackplaneHealth : IBackplaneHealth
{
    public event Action? Restored
    {
        add { }
        remove { }
    }

    public bool IsConnected => true;
}
