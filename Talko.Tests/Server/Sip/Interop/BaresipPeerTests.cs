using Talko.Tests.Core.Media;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Sip.Interop;

/// <summary>
/// What <see cref="BaresipPeer"/> promises about baresip 1.0 itself, phone to phone with no Talko in between, so tests
/// that build on it (REFER / blind transfer through Talko) know where a failure lies.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class BaresipPeerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<BaresipPeer> phones = [];

    public Task InitializeAsync()
    {
        BaresipPeer.EnsureInstalled();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var phone in phones)
        {
            output.WriteLine($"--- baresip on :{phone.SipPort} ---\n{phone.Log}");
            await phone.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_phone_that_receives_a_REFER_follows_it_to_the_target_and_drops_the_first_call()
    {
        var alice = await StartAsync("alice", 600);
        var bob = await StartAsync("bob", 1000);
        var carol = await StartAsync("carol", 1400);

        var mark = await alice.DialAsync($"sip:bob@127.0.0.1:{bob.SipPort}");
        var first = await alice.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, mark);
        await bob.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default);

        // Bob transfers Alice to Carol (REFER); Alice reports TRANSFER, calls Carol, and the call with Bob closes.
        var refer = await bob.TransferAsync($"sip:carol@127.0.0.1:{carol.SipPort}");
        Assert.True(refer.Ok, refer.Data);
        var transfer = await alice.WaitForEventAsync("TRANSFER", TestTimeouts.Default, mark);
        Assert.Contains($"carol@127.0.0.1:{carol.SipPort}", transfer.Param, StringComparison.Ordinal);
        var second = await alice.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, transfer.Sequence, e => e.CallId != first.CallId);
        Assert.Contains($"carol@127.0.0.1:{carol.SipPort}", second.PeerUri, StringComparison.Ordinal);
        await alice.WaitForEventAsync("CALL_CLOSED", TestTimeouts.Default, mark, e => e.CallId == first.CallId);
        await carol.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default);
        await bob.WaitForEventAsync("CALL_CLOSED", TestTimeouts.Default);

        // Carol hears Alice once the transferred call carries audio (her recording is written as it goes).
        await TestTimeouts.EventuallyAsync(
            () => Talko.Tests.Server.Features.Calls.CallsTestKit.PeakAmplitude(carol.Heard().Samples, 600) > 3000, TestTimeouts.Default, "Carol to hear Alice after the transfer");
        await alice.HangupAsync();
        await carol.WaitForEventAsync("CALL_CLOSED", TestTimeouts.Default);
        var heard = carol.Heard();
        output.WriteLine($"carol heard {heard.Duration.TotalSeconds:F1} s, 600 Hz peak {Talko.Tests.Server.Features.Calls.CallsTestKit.PeakAmplitude(heard.Samples, 600):F0}");
        Assert.True(Talko.Tests.Server.Features.Calls.CallsTestKit.PeakAmplitude(heard.Samples, 600) > 3000, "Carol did not hear Alice after the transfer");
    }

    /// <summary>call_transfer=no: the REFER gets 501 and nobody calls the target (baresip 1.0 as referrer then ends its call).</summary>
    [Fact]
    public async Task A_phone_told_not_to_follow_transfers_refuses_the_REFER()
    {
        var alice = await StartAsync("alice", 600, followTransfers: false);
        var bob = await StartAsync("bob", 1000);
        var carol = await StartAsync("carol", 1400);

        var mark = await alice.DialAsync($"sip:bob@127.0.0.1:{bob.SipPort}");
        await alice.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, mark);
        await bob.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default);
        await bob.TransferAsync($"sip:carol@127.0.0.1:{carol.SipPort}");

        var failed = await bob.WaitForEventAsync("TRANSFER_FAILED", TestTimeouts.Default);
        Assert.Contains("501", failed.Param, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(alice.Events, e => e.Type == "TRANSFER");
        Assert.DoesNotContain(carol.Events, e => e.Type.StartsWith("CALL_", StringComparison.Ordinal));
    }

    private async Task<BaresipPeer> StartAsync(string user, int tone, bool followTransfers = true)
    {
        var phone = await BaresipPeer.StartAsync(new BaresipOptions
        {
            ToneHz = tone,
            Account = new BaresipAccount(user, "127.0.0.1", FollowTransfers: followTransfers),
        }).WaitAsync(TestTimeouts.Default);
        phones.Add(phone);
        return phone;
    }
}
