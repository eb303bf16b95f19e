using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Talko.Server.Hosting;

/// <summary>The proxies whose X-Forwarded-For Talko believes, bound from "Talko:Proxy".</summary>
public sealed class ProxyOptions
{
    public const string Section = "Talko:Proxy";

    /// <summary>
    /// Networks of the load balancers in front of Talko (CIDR, e.g. "10.0.0.0/16" for an ALB's subnets). Only their
    /// X-Forwarded-For is believed, so per-address limits count clients, not the load balancer. Loopback is always
    /// trusted. Empty elsewhere: a client cannot pick the address it is counted as.
    /// </summary>
    public List<string> TrustedNetworks { get; set; } = [];
}

public static class ForwardedHeadersSetup
{
    public static IHostApplicationBuilder AddTalkoForwardedHeaders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section)
            .Validate(o => o.TrustedNetworks.All(n => IPNetwork.TryParse(n, out _)), "Talko:Proxy:TrustedNetworks must be CIDR networks like 10.0.0.0/16.")
            .ValidateOnStart();
        var trusted = builder.Configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>()?.TrustedNetworks ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var network in trusted)
            {
                if (IPNetwork.TryParse(network, out var parsed))
                {
                    options.KnownIPNetworks.Add(parsed);
                }
            }
        });
        return builder;
    }
}
