using System.Globalization;
using Talko.Tests.Core.Media;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Sip.Interop;

/// <summary>
/// Wideband calls with a real softphone (issue 16): baresip with its opus module negotiates Opus with Talko, and the
/// 48 kHz mixer carries what G.711 cannot (a 6 kHz tone, above its 4 kHz band) from one Opus phone to another; a
/// G.711 leg and an Opus leg in one call hear each other through the resamplers. Audio is checked on what each
/// side decoded, polled until it is there (no fixed waits).
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class BaresipOpusCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int WidebandTone = 6000;
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"baresip-opus-{Guid.NewGuid():N}");
    private readonly List<BaresipPeer> phones = [];
    private TalkoHost host = null!;
    private int sipPort;

    private string SipServer => $"127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>baresip's opus module, mono both ways with in-band FEC, as Talko asks in its SDP (RFC 7587).</summary>
    private static IReadOnlyList<string> OpusConfig =>
        ["module opus.so", "opus_stereo no", "opus_sprop_stereo no", "opus_inbandfec yes", "opus_bitrate 32000"];

    public Task InitializeAsync()
    {
        BaresipPeer.EnsureInstalled();
        sipPort = FreePort.Find();
        host = new TalkoHost(TalkoHostOptions.Embedded() with { Settings = CallsTestKit.InstanceSettings(shared, sipPort) });
        host.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var phone in phones)
        {
            output.WriteLine($"--- baresip on :{phone.SipPort} ---\n{phone.Log}");
            await phone.DisposeAsync();
        }

        await host.DisposeAsync();
        TestDirectory.Delete(shared);
    }

    [Fact]
    public async Task A_6_kHz_tone_from_one_Opus_phone_reaches_another_Opus_phone()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await host.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var call = await StartCallAsync(alice, bob);
        var aliceJoin = await alice.Client.JoinAsync(call);
        var bobJoin = await bob.Client.JoinAsync(call);

        var alicePhone = await StartPhoneAsync(alice, WidebandTone, OpusConfig);
        var bobPhone = await StartPhoneAsync(bob, 500, OpusConfig);
        var aliceMark = await alicePhone.DialAsync(aliceJoin.SipUri);
        await alicePhone.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, aliceMark);
        var bobMark = await bobPhone.DialAsync(bobJoin.SipUri);
        await bobPhone.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, bobMark);

        // Bob's phone decoded Opus at 48 kHz, and in it is Alice's 6 kHz tone (G.711 would have cut it entirely).
        var heard = await HeardAsync(bobPhone, WidebandTone, "Bob's phone hearing Alice's 6 kHz tone");
        Assert.Equal(48000, heard.SampleRate);
        Assert.True(Peak(heard, 500) < 500, "Bob's phone heard itself");
        await HeardAsync(alicePhone, 500, "Alice's phone hearing Bob's tone");

        // Both hang up, and the conference closes (and its recording completes) before the host goes.
        await alicePhone.HangupAsync();
        await bobPhone.HangupAsync();
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call), c => c.Participants.Count == 0, TestTimeouts.Default, "both BYEs seen");
    }

    [Fact]
    public async Task A_G711_sipp_leg_and_an_Opus_phone_in_one_call_hear_each_other()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await host.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var call = await StartCallAsync(alice, bob);
        await alice.Client.JoinAsync(call);
        var bobJoin = await bob.Client.JoinAsync(call);

        // Alice: sipp (PCMU only) with the test's RTP peer sending 600 Hz.
        await using var peer = new CallAudioPeer();
        var leg = CallsTestKit.SippLegAsync("call-leg.xml", SipServer, call, alice, peer.Port, TimeSpan.FromSeconds(45));
        await CallsTestKit.MediaFlowingAsync(peer, leg);
        using var stopTalking = new CancellationTokenSource();
        var talking = TalkUntilAsync(peer, 600, stopTalking.Token);

        // Bob: baresip with Opus (and G.711 too: Talko's answer must pick Opus) sending 1400 Hz.
        var bobPhone = await StartPhoneAsync(bob, 1400, OpusConfig);
        var bobMark = await bobPhone.DialAsync(bobJoin.SipUri);
        await bobPhone.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, bobMark);

        var bobHeard = await HeardAsync(bobPhone, 600, "the Opus phone hearing the G.711 leg's 600 Hz");
        Assert.Equal(48000, bobHeard.SampleRate);
        await TestTimeouts.EventuallyAsync(
            () => Task.FromResult(CallsTestKit.PeakAmplitude(peer.Heard, 1400) > 2000), TestTimeouts.Default, "the G.711 leg hearing the Opus phone's 1400 Hz");
        Assert.True(CallsTestKit.PeakAmplitude(peer.Heard, 600) < 500, "the G.711 leg heard itself");

        await stopTalking.CancelAsync();
        await talking;
        await bobPhone.HangupAsync();

        // sipp hangs up after its hold; the conference closes before the host goes.
        await leg;
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call), c => c.Participants.Count == 0, TestTimeouts.Default, "both legs gone");
    }

    private static async Task TalkUntilAsync(CallAudioPeer peer, double tone, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await peer.TalkAsync(50, _ => tone);
        }
    }

    private static async Task<Guid> StartCallAsync(TestUser alice, TestUser bob)
    {
        var group = await alice.Client.CreateGroupAsync("Wideband");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Opus");
        return (await alice.Client.StartCallAsync(conversation.Id)).Id;
    }

    /// <summary>Polls what the phone decoded until <paramref name="frequency"/> is in it, loud.</summary>
    private async Task<WavAudio> HeardAsync(BaresipPeer phone, double frequency, string what)
    {
        WavAudio heard = new(8000, []);
        await TestTimeouts.EventuallyAsync(() =>
        {
            heard = phone.Heard();
            return Task.FromResult(Peak(heard, frequency) > 2000);
        }, TestTimeouts.Default, what);
        output.WriteLine($"{what}: {heard.SampleRate} Hz, {heard.Duration.TotalSeconds:F1} s, peak {Peak(heard, frequency):F0}");
        return heard;
    }

    /// <summary>Strongest Goertzel amplitude of <paramref name="frequency"/> over 100 ms windows at the recording's rate.</summary>
    private static double Peak(WavAudio audio, double frequency)
    {
        var window = audio.SampleRate / 10;
        var peak = 0.0;
        for (var start = 0; start + window <= audio.Samples.Length; start += window / 2)
        {
            peak = Math.Max(peak, AudioSignals.Amplitude(audio.Samples.AsSpan(start, window), frequency, audio.SampleRate));
        }

        return peak;
    }

    private async Task<BaresipPeer> StartPhoneAsync(TestUser user, int toneHz, IReadOnlyList<string> extraConfig)
    {
        var phone = await BaresipPeer.StartAsync(new BaresipOptions
        {
            ToneHz = toneHz,
            Account = new BaresipAccount(user.Sip.Username, SipServer, user.Sip.Username, user.Sip.Secret),
            ExtraConfig = extraConfig,
        }).WaitAsync(TestTimeouts.Default);
        phones.Add(phone);
        return phone;
    }
}
