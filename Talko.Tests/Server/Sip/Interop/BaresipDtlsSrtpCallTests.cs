using System.Globalization;
using System.Text.RegularExpressions;
using Talko.Tests.Core.Media;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Sip.Interop;

/// <summary>
/// A second, independent WebRTC-style peer (issue 17): baresip 1.0 with its dtls_srtp and ice modules calls Talko
/// over SIP offering UDP/TLS/RTP/SAVPF with a=fingerprint, a=setup:actpass, ICE credentials and candidates and
/// rtcp-mux, no SDES and no BUNDLE (RFC 5763 over SIP; baresip 1.0 has no WebRTC signalling of its own). Talko
/// answers with the WebRTC leg its hub gives browsers (ICE lite, DTLS server, its own SRTP): baresip's full ICE
/// checks Talko's host candidate, libre's OpenSSL completes DTLS-SRTP, and a plain G.711 phone in the same call and
/// the DTLS-SRTP phone hear each other's tones.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed partial class BaresipDtlsSrtpCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"baresip-dtls-{Guid.NewGuid():N}");
    private readonly List<BaresipPeer> phones = [];
    private TalkoHost host = null!;
    private int sipPort;

    private string SipServer => $"127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}";

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
        if (Directory.Exists(shared))
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    [Fact]
    public async Task A_dtls_srtp_and_ice_phone_and_a_plain_G711_phone_hear_each_other()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await host.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Secure");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "DTLS-SRTP");
        var call = (await alice.Client.StartCallAsync(conversation.Id)).Id;
        var aliceJoin = await alice.Client.JoinAsync(call);
        var bobJoin = await bob.Client.JoinAsync(call);

        var alicePhone = await StartPhoneAsync(alice, 600, dtlsSrtp: true);
        var bobPhone = await StartPhoneAsync(bob, 1400, dtlsSrtp: false);
        var aliceMark = await alicePhone.DialAsync(aliceJoin.SipUri);
        await alicePhone.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, aliceMark);
        var bobMark = await bobPhone.DialAsync(bobJoin.SipUri);
        await bobPhone.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, bobMark);

        await HeardAsync(bobPhone, 600, "the G.711 phone hearing the DTLS-SRTP phone's 600 Hz");
        await HeardAsync(alicePhone, 1400, "the DTLS-SRTP phone hearing the G.711 phone's 1400 Hz");
        Assert.True(Peak(alicePhone.Heard(), 600) < 500, "the DTLS-SRTP phone heard itself");

        // The media really was DTLS-SRTP after ICE, and baresip's re-INVITE (sent once ICE picked its pair, with the
        // same credentials and fingerprint) was answered 200 like the INVITE, not refused.
        var log = alicePhone.Log;
        Assert.Contains("connectivity check is complete", log, StringComparison.Ordinal);
        Assert.Contains("verified sha-256 fingerprint OK", log, StringComparison.Ordinal);
        Assert.Contains("DTLS-SRTP complete", log, StringComparison.Ordinal);
        Assert.Contains("sending Re-INVITE", log, StringComparison.Ordinal);
        var acceptedInvites = AcceptedInvite().Matches(log).Select(m => m.Groups["cseq"].Value).Distinct().Count();
        Assert.True(acceptedInvites >= 2, $"the INVITE and the re-INVITE answered 200 ({acceptedInvites} were)\n{log}");
        Assert.DoesNotContain("SIP/2.0 488", log, StringComparison.Ordinal);

        await alicePhone.HangupAsync();
        await bobPhone.HangupAsync();
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call), c => c.Participants.Count == 0, TestTimeouts.Default, "both BYEs seen");
    }

    /// <summary>A 200 to an INVITE in baresip's SIP trace (-s): the status line, then its CSeq before the next status or request line.</summary>
    [GeneratedRegex(@"SIP/2\.0 200 OK(?:(?!SIP/2\.0 \d|SIP/2\.0\r?\n).)*?CSeq: (?<cseq>\d+) INVITE", RegexOptions.Singleline)]
    private static partial Regex AcceptedInvite();

    /// <summary>Polls what the phone decoded until <paramref name="frequency"/> is in it, loud.</summary>
    private async Task HeardAsync(BaresipPeer phone, double frequency, string what)
    {
        WavAudio heard = new(8000, []);
        await TestTimeouts.EventuallyAsync(() =>
        {
            heard = phone.Heard();
            return Task.FromResult(Peak(heard, frequency) > 2000);
        }, TestTimeouts.Default, what);
        output.WriteLine($"{what}: {heard.SampleRate} Hz, {heard.Duration.TotalSeconds:F1} s, peak {Peak(heard, frequency):F0}");
    }

    /// <summary>Strongest Goertzel amplitude of <paramref name="frequency"/> over 100 ms windows.</summary>
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

    private async Task<BaresipPeer> StartPhoneAsync(TestUser user, int toneHz, bool dtlsSrtp)
    {
        var phone = await BaresipPeer.StartAsync(new BaresipOptions
        {
            ToneHz = toneHz,
            Account = new BaresipAccount(user.Sip.Username, SipServer, user.Sip.Username, user.Sip.Secret, DtlsSrtpWithIce: dtlsSrtp),
            ExtraConfig = dtlsSrtp ? BaresipPeer.DtlsSrtpConfig : [],
            SipTrace = dtlsSrtp,
        }).WaitAsync(TestTimeouts.Default);
        phones.Add(phone);
        return phone;
    }
}
