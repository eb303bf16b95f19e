using Microsoft.Extensions.Options;
using Talko.Core.Sip;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Core.Sip.Transactions;
using Talko.Core.Sip.Transport;

namespace Talko.Server.Sip;

/// <summary>
/// The SIP engine's per-layer limits, each bound as ordinary options from its sub-section of Talko:Sip (Timers,
/// Registrar, Transport, Parser, UserAgent, Conferencing, Digest), so they are validated, visible to the options
/// system and found by the generated configuration reference like every other setting.
/// </summary>
public sealed class SipEngineSections(
    IOptions<SipTimerOptions> timers,
    IOptions<SipRegistrarOptions> registrar,
    IOptions<SipTransportOptions> transport,
    IOptions<SipParserOptions> parser,
    IOptions<SipUserAgentOptions> userAgent,
    IOptions<ConferencingOptions> conferencing,
    IOptions<SipDigestOptions> digest)
{
    /// <summary>Binds every section and registers this bundle.</summary>
    public static void Register(IServiceCollection services)
    {
        Bind<SipTimerOptions>(services, nameof(SipEngineOptions.Timers));
        Bind<SipRegistrarOptions>(services, nameof(SipEngineOptions.Registrar));
        services.AddOptions<SipTransportOptions>().BindConfiguration(Path(nameof(SipEngineOptions.Transport)))
            .Validate(Valid<SipTransportOptions>(o => o.Validate()), "Talko:Sip:Transport limits are out of range (see the log).").ValidateOnStart();
        services.AddOptions<SipParserOptions>().BindConfiguration(Path(nameof(SipEngineOptions.Parser)))
            .Validate(Valid<SipParserOptions>(o => o.Validate()), "Talko:Sip:Parser limits are out of range: MaxViaValues must be at least 71.").ValidateOnStart();
        Bind<SipUserAgentOptions>(services, nameof(SipEngineOptions.UserAgent));
        Bind<ConferencingOptions>(services, nameof(SipEngineOptions.Conferencing));
        services.AddOptions<SipDigestOptions>().BindConfiguration(Path(nameof(SipEngineOptions.Digest)))
            .Validate(Valid<SipDigestOptions>(o => o.Validate()), "Talko:Sip:Digest limits are out of range: MaxTrackedNonces and MaxTrackedEntries must be at least 1, NonceLifetime and FailureWindow positive.").ValidateOnStart();
        services.AddSingleton<SipEngineSections>();
    }

    /// <summary>Copies the bound sections into <paramref name="options"/>.</summary>
    public void ApplyTo(SipEngineOptions options)
    {
        options.Timers = timers.Value;
        options.Registrar = registrar.Value;
        options.Transport = transport.Value;
        options.Parser = parser.Value;
        options.UserAgent = userAgent.Value;
        options.Conferencing = conferencing.Value;
        options.Digest = digest.Value;
    }

    private static string Path(string section) => $"{SipHostOptions.Section}:{section}";

    private static void Bind<T>(IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(Path(section));

    private static Func<T, bool> Valid<T>(Action<T> validate) => options =>
    {
        try
        {
            validate(options);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    };
}
