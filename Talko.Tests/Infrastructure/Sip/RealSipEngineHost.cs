using System.Net;
using Talko.Core.Sip;
using Talko.Core.Sip.Registrar;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>A SipEngine on real loopback sockets (free ports), with in-memory stores and a fake media engine.</summary>
internal sealed class RealSipEngineHost : IAsyncDisposable
{
    private RealSipEngineHost(SipEngine engine, FakeConferenceMediaEngine media, int port, IPAddress address)
    {
        Engine = engine;
        Media = media;
        Port = port;
        Address = address;
    }

    public SipEngine Engine { get; }
    public FakeConferenceMediaEngine Media { get; }
    public int Port { get; }
    public IPAddress Address { get; }

    /// <param name="address">The loopback address to bind (IPv4 unless given).</param>
    /// <param name="configure">Changes to the engine's options (the realm is "talko.test").</param>
    /// <param name="loggers">Where the engine logs; nowhere unless given.</param>
    /// <param name="bindings">The registrar's binding store; in memory unless given.</param>
    /// <param name="addCredentials">More SIP accounts than <see cref="SipTestHost.Username"/>'s, given the realm.</param>
    public static async Task<RealSipEngineHost> StartAsync(
        IPAddress? address = null,
        Action<SipEngineOptions>? configure = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggers = null,
        ISipBindingStore? bindings = null,
        Action<InMemorySipCredentialStore, string>? addCredentials = null)
    {
        address ??= IPAddress.Loopback;
        var port = FreePort.Find(address);
        var options = new SipEngineOptions { BindAddresses = [address], UdpPort = port, TcpPort = port, Realm = "talko.test" };
        configure?.Invoke(options);
        var credentials = new InMemorySipCredentialStore();
        credentials.Add(SipCredential.FromSecret(SipTestHost.Username, "user-1", "device-1", options.Realm, SipTestHost.Password));
        addCredentials?.Invoke(credentials, options.Realm);
        var media = new FakeConferenceMediaEngine();
        var engine = new SipEngine(options, credentials, bindings ?? new InMemorySipBindingStore(TimeProvider.System), media, loggers: loggers);
        await engine.StartAsync();
        return new RealSipEngineHost(engine, media, port, address);
    }

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
