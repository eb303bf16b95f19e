using Talko.Core.Instances;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting;

public static class InstanceExtensions
{
    public static IHostApplicationBuilder AddTalkoInstance(this IHostApplicationBuilder builder, InstanceIdentity instance)
    {
        builder.Services.AddSingleton(instance);
        builder.Services.AddSingleton(services => new InstanceLifecycle(instance.Id, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<InstanceLoadCounters>();
        builder.Services.AddOptions<InstanceRegistryOptions>().BindConfiguration("Talko:Instance");
        builder.Services.AddOptions<InstanceAddressOptions>().BindConfiguration("Talko:Instance");
        builder.Services.AddSingleton<InstanceAddresses>();
        builder.Services.AddSingleton<InstanceRegistry>();
        builder.Services.AddSingleton<InstanceLiveness>();
        builder.Services.AddHostedService<InstanceHeartbeatService>();
        return builder;
    }
}
