using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Talko.Core.Media.Engine;
using Talko.Core.Sip;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Registrar;
using Talko.Core.Sip.Transport;
using Talko.Server.Features.Accounts;
using Talko.Server.Kernel;

namespace Talko.Server.Sip;

/// <summary>
/// Runs this instance's <see cref="SipEngine"/> for the life of the host: accounts' credentials, bindings in the
/// ephemeral store, Talko's media engine, the calls feature's admission. A port that is taken never stops the web
/// app: free ports are bound instead (or, with fallback off, the instance runs without SIP); see ADR 0600.
/// </summary>
public sealed class SipEngineHost(
    IOptions<SipHostOptions> hostOptions,
    SipEngineSections sections,
    IOptions<AccountsOptions> accounts,
    IOptions<InstanceAddressOptions> addressOptions,
    InstanceAddresses addresses,
    ISipCredentialStore credentials,
    ISipBindingStore bindings,
    ConferenceMediaEngine media,
    IConferenceAdmission admission,
    ISipRegistrationPolicy registrationPolicy,
    IConferenceLegObserver legObserver,
    RunningSipEngine running,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger logger = loggers.CreateLogger<SipEngineHost>();

    /// <summary>The running engine, or null when SIP is off or could not start.</summary>
    public SipEngine? Engine => running.Engine;

    /// <summary>host:port that devices and other instances use to reach this engine (also published in the instance registry).</summary>
    public string? SipAddress => running.SipAddress;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = hostOptions.Value;
        if (!settings.Enabled)
        {
            SipHostLog.Disabled(logger);
            return;
        }

        SipEngine? engine;
        try
        {
            var options = EngineOptions(settings, settings.UdpPort, settings.TcpPort);
            engine = await TryStartAsync(options, cancellationToken);
            if (engine is null && settings.FallbackToFreePort)
            {
                var port = FreeSipPort.Find(options.BindAddresses[0]) ?? 0;
                engine = await TryStartAsync(EngineOptions(settings, port, port), cancellationToken) ?? throw new SocketException((int)SocketError.AddressAlreadyInUse);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            SipHostLog.StartFailed(logger, exception);
            return;
        }

        if (engine is null)
        {
            SipHostLog.StartFailed(logger, new SocketException((int)SocketError.AddressAlreadyInUse));
            return;
        }

        var endPoints = engine.LocalEndPoints;
        var advertisedPort = endPoints.FirstOrDefault(e => e.Protocol == Talko.Core.Sip.Messages.SipTransportProtocol.Udp).EndPoint?.Port ?? endPoints[0].EndPoint.Port;
        var host = settings.AdvertisedHost ?? endPoints[0].EndPoint.Address.ToString();
        var sipAddress = addressOptions.Value.SipAddress ?? $"{(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host)}:{advertisedPort}";
        running.Started(engine, sipAddress);
        addresses.AdvertiseSip(sipAddress);
        SipHostLog.Started(logger, string.Join(", ", endPoints.Select(e => $"{e.Protocol} {e.EndPoint}")), sipAddress);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Engine is { } engine)
        {
            try
            {
                await engine.StopAsync(cancellationToken);
            }
            catch (Exception exception)
            {
                SipHostLog.StopFailed(logger, exception);
            }
        }
    }

    private async Task<SipEngine?> TryStartAsync(SipEngineOptions options, CancellationToken cancellationToken)
    {
        // The policy steers devices away while this instance drains (shorter expiry or 503 with Retry-After).
        var engine = new SipEngine(options, credentials, bindings, media, admission, time, loggers) { RegistrationPolicy = registrationPolicy, LegObserver = legObserver };
        try
        {
            await engine.StartAsync(cancellationToken);
            return engine;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            SipHostLog.PortTaken(logger, options.UdpPort, options.TcpPort, exception.SocketErrorCode.ToString());
            return null;
        }
    }

    private SipEngineOptions EngineOptions(SipHostOptions settings, int udpPort, int tcpPort)
    {
        var addressesToBind = settings.BindAddresses.Count == 0 ? ["127.0.0.1"] : settings.BindAddresses;
        var options = new SipEngineOptions
        {
            BindAddresses = [.. addressesToBind.Select(a => IPAddress.TryParse(a, out var parsed) ? parsed : throw new OptionsValidationException(SipHostOptions.Section, typeof(SipHostOptions), [$"Talko:Sip:BindAddresses: '{a}' is not an IP address."]))],
            EnableUdp = settings.EnableUdp,
            EnableTcp = settings.EnableTcp,
            UdpPort = udpPort,
            TcpPort = tcpPort,
            MaxTransactions = settings.MaxTransactions,
            MaxCompletedTransactions = settings.MaxCompletedTransactions,
            ConcurrentInvites = settings.ConcurrentInvites,
            ConcurrentRegisters = settings.ConcurrentRegisters,
        };
        sections.ApplyTo(options);
        options.Realm = accounts.Value.SipRealm;
        options.Domain = settings.Domain ?? settings.AdvertisedHost ?? options.BindAddresses[0].ToString();
        return options;
    }
}
