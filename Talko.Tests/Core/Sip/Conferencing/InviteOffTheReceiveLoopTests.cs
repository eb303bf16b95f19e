using System.Net;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Sip.Conferencing;

/// <summary>
/// ADR 0112 over a real UDP socket with sipp as the caller: a new INVITE waiting on media set-up lets the receive loop
/// go on, so a REGISTER arriving on the same socket meanwhile is answered; the INVITE then completes as usual.
/// </summary>
public sealed class InviteOffTheReceiveLoopTests
{
    private static readonly TimeSpan SippLimit = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task An_invite_waiting_on_media_set_up_does_not_hold_a_register_behind_it()
    {
        await using var host = await RealSipEngineHost.StartAsync(configure: options => options.EnableTcp = false);
        host.Media.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = SippRunner.RunAsync("invite-bye.xml", $"127.0.0.1:{host.Port}",
            ["-i", "127.0.0.1", "-p", FreePort.Find().ToString(), "-t", "u1", "-s", "conf-12", "-au", SipTestHost.Username, "-ap", SipTestHost.Password,
             "-mi", "127.0.0.1", "-mp", FreePort.Find().ToString()], SippLimit);
        await TestTimeouts.EventuallyAsync(() => host.Media.WaitingAtGate == 1 || call.IsCompleted, TestTimeouts.Default);
        if (call.IsCompleted)
        {
            Assert.Fail($"sipp ended before its INVITE reached media set-up: {await call}");
        }

        using var phone = new UdpRegisteringPhone(new IPEndPoint(host.Address, host.Port), SipTestHost.Username);
        var registered = await phone.RegisterAsync(SipTestHost.Password);

        Assert.Equal(200, registered.StatusCode);
        Assert.True(host.Media.WaitingAtGate == 1, "the INVITE was still waiting on media set-up when the REGISTER was answered");
        host.Media.Gate.SetResult();
        var result = await call;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("conf-12", Assert.Single(host.Media.Legs).Options.ConferenceId);
    }
}
