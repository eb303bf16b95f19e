using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Eventing;

namespace Talko.Tests.Core.Eventing;

public sealed class InProcessEventBusTests : EventBusSpecification
{
    private readonly InProcessEventBus bus = new(NullLogger<InProcessEventBus>.Instance);

    protected override (IEventBus First, IEventBus Second) Buses => (bus, bus);

    protected override string Channel(string name) => $"spec:{name}";
}
