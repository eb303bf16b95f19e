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

    public static async Task<RealSipEngineHost> StartAsync(IPAddress? address = null, Action<SipEngineOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        address ??= IPAddress.Loopback;
        var port = FreePort.Find(address);
        var options = new SipEngineOptions { BindAddresses = [address], UdpPort = port, TcpPort = port, Realm = "talko.test" };
        configure?.Invoke(options);
        var credentials = new InMemorySipCredentialStore();
        credentials.Add(SipCredential.FromSecret(SipTestHost.Username, "user-1", "device-1", options.Realm, SipTestHost.Password));
        var media = new FakeConferenceMediaEngine();
        var engine = new SipEngine(options, credentials, new InMemorySipBindingStore(TimeProvider.System), media, loggers: loggers);
        await engine.StartAsync();
        return new RealSipEngineHost(engine, media, port, address);
    }

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
