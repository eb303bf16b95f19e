using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Core.Sip.Transactions;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip;

/// <summary>
/// The whole SIP stack behind one object: channels, transport, transactions, user agent, registrar and
/// conference calls. Needs no host; Talko.Server runs it as a hosted service.
/// </summary>
public sealed class SipEngine : IAsyncDisposable
{
    private readonly SipEngineOptions options;
    private readonly ISipCredentialStore credentials;
    private readonly IConferenceMediaEngine media;
    private readonly IConferenceAdmission admission;
    private readonly TimeProvider time;
    private readonly ILoggerFactory loggers;
    private readonly Func<IEnumerable<SipChannel>>? channelFactory;
    private SipTransport? transport;

    public SipEngine(SipEngineOptions options, ISipCredentialStore credentials, ISipBindingStore bindings, IConferenceMediaEngine media,
        IConferenceAdmission? admission = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
        : this(options, credentials, bindings, media, admission, time, loggers, null)
    {
    }

    /// <summary>With <paramref name="channelFactory"/> the engine runs over given channels (tests use fakes).</summary>
    internal SipEngine(SipEngineOptions options, ISipCredentialStore credentials, ISipBindingStore bindings, IConferenceMediaEngine media,
        IConferenceAdmission? admission, TimeProvider? time, ILoggerFactory? loggers, Func<IEnumerable<SipChannel>>? channelFactory)
    {
        this.options = options;
        this.credentials = credentials;
        Registrations = new LiveRegistrations(bindings, time ?? TimeProvider.System);
        Bindings = Registrations;
        this.media = media;
        this.admission = admission ?? new AllowAllConferenceAdmission();
        this.time = time ?? TimeProvider.System;
        this.loggers = loggers ?? NullLoggerFactory.Instance;
        this.channelFactory = channelFactory;
    }

    public ISipBindingStore Bindings { get; }

    /// <summary>The bindings this engine's registrar holds live (its share of <see cref="Bindings"/>).</summary>
    public LiveRegistrations Registrations { get; }

    /// <summary>Consulted on every REGISTER that adds or refreshes a binding; set before <see cref="StartAsync"/>.</summary>
    public ISipRegistrationPolicy RegistrationPolicy { get; set; } = AcceptAllRegistrations.Instance;

    /// <summary>Told about each leg that joins a conference, with its party; set before <see cref="StartAsync"/>.</summary>
    public IConferenceLegObserver? LegObserver { get; set; }

    public SipTransport Transport => transport ?? throw NotStarted();

    public SipUserAgent UserAgent { get; private set; } = null!;

    public ConferenceCallHandler Conferences { get; private set; } = null!;

    public ConferenceDialer Dialer { get; private set; } = null!;

    public SipDigestAuthenticator Authenticator { get; private set; } = null!;

    /// <summary>The bound endpoints, with real ports once started.</summary>
    public IReadOnlyList<(SipTransportProtocol Protocol, IPEndPoint EndPoint)> LocalEndPoints =>
        Transport.Channels.Select(c => (c.Protocol, c.LocalEndPoint)).ToList();

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (transport is not null)
        {
            throw new InvalidOperationException("The SIP engine is already started.");
        }

        var transportLogger = loggers.CreateLogger("Talko.Core.Sip.Transport");
        var channels = channelFactory?.Invoke().ToList() ?? CreateChannels(transportLogger);
        transport = new SipTransport(channels, options.Parser, transportLogger);
        var transactions = new SipTransactionLayer(transport, options.Timers, time, loggers.CreateLogger("Talko.Core.Sip.Transactions"),
            options.MaxTransactions, options.MaxCompletedTransactions, options.ConcurrentInvites, options.ConcurrentRegisters);
        UserAgent = new SipUserAgent(transactions, options.UserAgent, loggers.CreateLogger("Talko.Core.Sip.Dialogs"));
        Authenticator = new SipDigestAuthenticator(options.Digest, credentials, time);
        var registrar = new SipRegistrar(UserAgent, Authenticator, Bindings, options.Registrar, time, loggers.CreateLogger("Talko.Core.Sip.Registrar"), RegistrationPolicy);
        Conferences = new ConferenceCallHandler(UserAgent, Authenticator, admission, media, options.Conferencing, loggers.CreateLogger("Talko.Core.Sip.Conferencing"), time)
        {
            LegObserver = LegObserver,
        };
        Dialer = new ConferenceDialer(Conferences, Bindings, options.Domain);
        UserAgent.Map(SipMethods.Register, registrar);
        UserAgent.Map(SipMethods.Invite, Conferences);
        try
        {
            await transport.StartAsync(cancellationToken);
        }
        catch
        {
            await transport.DisposeAsync();
            transport = null;
            throw;
        }
    }

    private List<SipChannel> CreateChannels(ILogger logger)
    {
        var channels = new List<SipChannel>();
        foreach (var address in options.BindAddresses)
        {
            if (options.EnableUdp)
            {
                channels.Add(new UdpSipChannel(new IPEndPoint(address, options.UdpPort), options.Transport, logger));
            }

            if (options.EnableTcp)
            {
                channels.Add(new TcpSipChannel(new IPEndPoint(address, options.TcpPort), options.Transport, options.Parser, time, logger));
            }
        }
        return channels;
    }

    /// <summary>Hangs up every call (BYE), then closes the sockets.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (transport is null)
        {
            return;
        }

        foreach (var call in Conferences.Calls.ToList())
        {
            await Conferences.HangUpAsync(call);
        }

        await transport.DisposeAsync();
        transport = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static InvalidOperationException NotStarted() => new("The SIP engine is not started.");
}
