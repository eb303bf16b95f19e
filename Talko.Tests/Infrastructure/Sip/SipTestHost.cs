using Microsoft.Extensions.Time.Testing;
using Talko.Core.Sip;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>A whole engine over a fake channel and a fake clock.</summary>
internal sealed class SipTestHost : IAsyncDisposable
{
    public const string Username = "alice";
    public const string Password = "s3cret-pw";

    private SipTestHost(SipEngine engine, FakeSipChannel channel, FakeTimeProvider time, FakeConferenceMediaEngine media, InMemorySipBindingStore bindings)
    {
        Engine = engine;
        Channel = channel;
        Time = time;
        Media = media;
        Bindings = bindings;
    }

    public SipEngine Engine { get; }
    public FakeSipChannel Channel { get; }
    public FakeTimeProvider Time { get; }
    public FakeConferenceMediaEngine Media { get; }
    public InMemorySipBindingStore Bindings { get; }

    public static async Task<SipTestHost> StartAsync(Action<SipEngineOptions>? configure = null, Talko.Core.Sip.Conferencing.IConferenceAdmission? admission = null, SipTransportProtocol protocol = SipTransportProtocol.Udp, ISipRegistrationPolicy? registrationPolicy = null, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        // Handled inline, so a test reads the answers as soon as its injection returns.
        var options = new SipEngineOptions { Realm = "talko.test", ConcurrentInvites = false, ConcurrentRegisters = false };
        configure?.Invoke(options);
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var credentials = new InMemorySipCredentialStore();
        credentials.Add(SipCredential.FromSecret(Username, "user-1", "device-1", options.Realm, Password));
        credentials.Add(SipCredential.FromSecret("bob", "user-2", "device-2", options.Realm, "bobs-pw"));
        var bindings = new InMemorySipBindingStore(time);
        var media = new FakeConferenceMediaEngine();
        var channel = new FakeSipChannel(protocol, FakeSipChannel.DefaultLocal);
        var engine = new SipEngine(options, credentials, bindings, media, admission, time, loggers, () => [channel]);
        if (registrationPolicy is not null)
        {
            engine.RegistrationPolicy = registrationPolicy;
        }

        await engine.StartAsync();
        return new SipTestHost(engine, channel, time, media, bindings);
    }

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
