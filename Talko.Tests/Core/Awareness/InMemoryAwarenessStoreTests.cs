using Microsoft.Extensions.Time.Testing;
using Talko.Core.Awareness;

namespace Talko.Tests.Core.Awareness;

public sealed class InMemoryAwarenessStoreTests : AwarenessStoreSpecification
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-23T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    protected override IAwarenessStore Store { get; } = new InMemoryAwarenessStore();

    protected override DateTimeOffset Now => time.GetUtcNow();

    protected override Task ElapseAsync(TimeSpan duration)
    {
        time.Advance(duration);
        return Task.CompletedTask;
    }
}
