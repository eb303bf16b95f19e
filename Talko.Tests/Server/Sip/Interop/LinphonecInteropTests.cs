using System.Net;
using Talko.Tests.Infrastructure.Sip;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Sip.Interop;

/// <summary>
/// linphonec (liblinphone 5.1, belle-sip) registers and calls with digest against the engine's default settings
/// (issue 14: stock clients must work without any client-specific switch).
/// </summary>
public sealed class LinphonecInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Registers_calls_and_hangs_up_with_default_digest_settings()
    {
        await using var host = await RealSipEngineHost.StartAsync();
        await using var phone = await LinphonecPeer.StartAsync(Limit);
        try
        {
            await phone.RegisterAsync(SipTestHost.Username, $"127.0.0.1:{host.Port}", SipTestHost.Password, Limit);
            var binding = Assert.Single(await host.Engine.Bindings.GetAsync("sip:alice@127.0.0.1"));
            Assert.Equal("device-1", binding.DeviceId);

            await phone.CallAsync($"sip:conf-31@127.0.0.1:{host.Port}", Limit);
            var leg = Assert.Single(host.Media.Legs);
            Assert.Equal("conf-31", leg.Options.ConferenceId);
            Assert.Equal(IPAddress.Loopback, leg.Options.RemoteRtp.Address);

            await phone.HangUpAsync(Limit);
            await leg.Disposed.WaitAsync(Limit);
            Assert.Empty(host.Engine.Conferences.Calls);
        }
        finally
        {
            output.WriteLine(phone.Log);
        }
    }

    /// <summary>A client that reads every challenge can answer SHA-256 (RFC 8760): here the only one offered.</summary>
    [Fact]
    public async Task Registers_with_SHA_256_when_that_is_the_only_challenge()
    {
        await using var host = await RealSipEngineHost.StartAsync(configure: o =>
        {
            o.Digest.PreferSha256 = true;
            o.Digest.OfferMd5 = false;
        });
        await using var phone = await LinphonecPeer.StartAsync(Limit);
        try
        {
            await phone.RegisterAsync(SipTestHost.Username, $"127.0.0.1:{host.Port}", SipTestHost.Password, Limit);
            Assert.Single(await host.Engine.Bindings.GetAsync("sip:alice@127.0.0.1"));
        }
        finally
        {
            output.WriteLine(phone.Log);
        }
    }
}
