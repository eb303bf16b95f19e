using Microsoft.Extensions.DependencyInjection.Extensions;
using Talko.Core.Sip.Registrar;

namespace Talko.Server.Drain;

public static class DrainExtensions
{
    /// <summary>
    /// The drain: options (Talko:Drain), the coordinator, SIGTERM handling, the SIP registration policy
    /// (for the SIP host to hand to <c>SipEngine.RegistrationPolicy</c>) and, until the calls feature
    /// registers one, an <see cref="ILiveCallMover"/> that knows no calls (and, until the realtime
    /// feature registers its own, <see cref="IDrainableConnections"/> with none).
    /// </summary>
    public static IHostApplicationBuilder AddTalkoDrain(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DrainOptions>().BindConfiguration(DrainOptions.Section)
            .Validate(o => o.HardDeadline > TimeSpan.Zero && o.ReconnectWindow >= TimeSpan.Zero && o.LoadBalancerGrace >= TimeSpan.Zero
                && o.ReconnectJitter >= TimeSpan.Zero && o.ReconnectCloseAfter >= TimeSpan.Zero && o.CallDeadline >= TimeSpan.Zero
                && o.PollInterval > TimeSpan.Zero && o.SipShortExpirySeconds > 0 && o.SipRetryAfterSeconds >= 0,
                "Talko:Drain: times must not be negative; HardDeadline, PollInterval and SipShortExpirySeconds must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ILiveCallMover, NoLiveCalls>();
        builder.Services.TryAddSingleton<IDrainableConnections, NoDrainableConnections>();
        builder.Services.TryAddSingleton<ISipRegistrationPolicy, DrainingRegistrationPolicy>();
        builder.Services.AddSingleton<DrainCoordinator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DrainCoordinator>());
        if (builder.Configuration.GetValue($"{DrainOptions.Section}:{nameof(DrainOptions.DrainOnSigterm)}", true))
        {
            builder.Services.AddSingleton<IHostLifetime, SigtermDrainLifetime>();
        }

        return builder;
    }
}
