using Microsoft.Extensions.Time.Testing;
using Talko.Core.Ephemeral;

namespace Talko.Tests.Core.Ephemeral;

public sealed class InMemoryEphemeralStoreTests : EphemeralStoreSpecification
{
    private readonly FakeTimeProvider time = new();

    public InMemoryEphemeralStoreTests() => Store = new InMemoryEphemeralStore(time);

    protected override IEphemeralStore Store { get; }

    protected override string Key(string name) => $"spec:{name}";

    protected override Task ElapseAsync(TimeSpan duration)
    {
        time.Advance(duration);
        return Task.CompletedTask;
    }
}
