using Talko.Core.Awareness;

namespace Talko.Tests.Core.Awareness;

public sealed class InMemoryAwarenessStoreTests : AwarenessStoreSpecification
{
    protected override IAwarenessStore Store { get; } = new InMemoryAwarenessStore();
}
