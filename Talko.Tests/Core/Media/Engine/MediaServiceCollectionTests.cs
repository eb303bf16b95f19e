using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Media;
using Talko.Core.Media.Engine;

namespace Talko.Tests.Core.Media.Engine;

public class MediaServiceCollectionTests
{
    [Fact]
    public async Task EngineResolvesAsOneSingletonWithConfiguredOptions()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConferenceMediaObserver, ObserverProbe>();
        services.AddConferenceMedia(o =>
        {
            o.RtpPorts.MinPort = 38000;
            o.RtpPorts.MaxPort = 38099;
        });

        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<IConferenceMediaEngine>();
        Assert.Same(provider.GetRequiredService<ConferenceMediaEngine>(), engine);
        Assert.Equal(50, ((ConferenceMediaEngine)engine).Ports.Capacity);
    }

    [Fact]
    public void InvalidOptionsFailAtConstruction()
    {
        var services = new ServiceCollection();
        services.AddConferenceMedia(o => o.BindAddress = "not-an-address");
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IConferenceMediaEngine>());
        Assert.Contains("BindAddress", error.Message, StringComparison.Ordinal);
    }
}
