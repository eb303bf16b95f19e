using System.Net;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Sip.Transport;

/// <summary>sipp, an independent SIP implementation, against the engine on loopback.</summary>
public sealed class SippInteropTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(40);

    /// <summary>
    /// The server's default digest settings: sipp 3.6 digests only MD5 and reads only the first challenge, so these
    /// tests fail if the defaults stop working for such clients (ADR 0162).
    /// </summary>
    private static Task<RealSipEngineHost> StartHostAsync() => RealSipEngineHost.StartAsync();

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task Register_with_the_right_password_gets_200(string transport)
    {
        await using var host = await StartHostAsync();
        var result = await SippRunner.RunAsync("register.xml", $"127.0.0.1:{host.Port}",
            ["-i", "127.0.0.1", "-p", FreePort.Find().ToString(), "-t", transport, "-s", SipTestHost.Username, "-au", SipTestHost.Username, "-ap", SipTestHost.Password], Limit);
        Assert.True(result.ExitCode == 0, result.ToString());
        var binding = Assert.Single(await host.Engine.Bindings.GetAsync("sip:alice@127.0.0.1"));
        Assert.Equal("device-1", binding.DeviceId);
    }

    [Fact]
    public async Task Register_with_a_wrong_password_gets_403()
    {
        await using var host = await StartHostAsync();
        var result = await SippRunner.RunAsync("register-wrong-password.xml", $"127.0.0.1:{host.Port}",
            ["-i", "127.0.0.1", "-p", FreePort.Find().ToString(), "-t", "u1", "-s", SipTestHost.Username, "-au", SipTestHost.Username, "-ap", "not-the-password"], Limit);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(await host.Engine.Bindings.GetAsync("sip:alice@127.0.0.1"));
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task Invite_ack_bye_joins_and_leaves_a_conference(string transport)
    {
        await using var host = await StartHostAsync();
        var mediaPort = FreePort.Find();
        var result = await SippRunner.RunAsync("invite-bye.xml", $"127.0.0.1:{host.Port}",
            ["-i", "127.0.0.1", "-p", FreePort.Find().ToString(), "-t", transport, "-s", "conf-77", "-au", SipTestHost.Username, "-ap", SipTestHost.Password,
             "-mi", "127.0.0.1", "-mp", mediaPort.ToString()], Limit);
        Assert.True(result.ExitCode == 0, result.ToString());
        var leg = Assert.Single(host.Media.Legs);
        Assert.Equal("conf-77", leg.Options.ConferenceId);
        Assert.Equal(IPAddress.Loopback, leg.Options.RemoteRtp.Address);
        Assert.Equal(Talko.Core.Media.AudioCodec.Pcmu, leg.Options.Codec);
        Assert.Equal(101, leg.Options.TelephoneEventPayloadType);
        await leg.Disposed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(host.Engine.Conferences.Calls);
    }
}
