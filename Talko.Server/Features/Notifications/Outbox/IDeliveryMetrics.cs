using Talko.Core.Notifications;

namespace Talko.Server.Features.Notifications.Outbox;

/// <summary>
/// Where the dispatcher counts each finished delivery attempt. Owned here and implemented by the host's metrics, so the
/// outbox does not depend on telemetry; without one (a test's dispatcher) nothing is counted.
/// </summary>
public interface IDeliveryMetrics
{
    /// <param name="provider">The provider that was tried.</param>
    /// <param name="outcome">delivered, retry, address_gone or dead_lettered.</param>
    void DeliveryFinished(PushChannel provider, string outcome);
}
