using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Sip.Registrar;
using Talko.Tests.Core.Media;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Calls;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Sip.Interop;

/// <summary>
/// A real softphone against Talko (issue 6): baresip registers with a device's digest credentials and joins a call's
/// conference next to a second baresip; each hears the other's sine through the mixer and not its own.
/// The server offers its default challenges (SHA-256 first, then MD5), as a phone in the field would see them.
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class BaresipCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int AliceTone = 600;
    private const int BobTone = 1400;
    private readonly string shared = Path.Combine(Path.GetTempPath(), "talko-tests", $"baresip-{Guid.NewGuid():N}");
    private readonly List<BaresipPeer> phones = [];
    private TalkoHost host = null!;
    private int sipPort;

    private string SipServer => $"127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}";

    public Task InitializeAsync()
    {
        // Under CI=true (and anywhere else) a missing baresip fails the test with the command that installs it.
        BaresipPeer.EnsureInstalled();
        sipPort = FreePort.Find();
        var settings = CallsTestKit.InstanceSettings(shared, sipPort);
        host = new TalkoHost(TalkoHostOptions.Embedded() with { Settings = settings });
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
    public async Task Baresip_registers_with_the_devices_digest_credentials_and_the_binding_exists_until_it_unregisters()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var phone = await StartPhoneAsync(new BaresipOptions
        {
            Account = new BaresipAccount(alice.Sip.Username, SipServer, alice.Sip.Username, alice.Sip.Secret, RegisterInterval: 60),
        });

        await phone.WaitForEventAsync("REGISTER_OK", TestTimeouts.Default);
        var bindings = host.Services.GetRequiredService<ISipBindingStore>();
        var binding = Assert.Single(await bindings.GetByUserAsync(alice.UserId.ToString()).AsTask().WaitAsync(TestTimeouts.Short));
        output.WriteLine($"binding: {binding}");
        Assert.Equal(alice.DeviceId.ToString(), binding.DeviceId);
        Assert.Contains($"@127.0.0.1:{phone.SipPort}", binding.ContactUri, StringComparison.Ordinal);
        Assert.Equal(phone.SipPort, binding.Source!.Port);

        // Quitting unregisters (REGISTER with Expires: 0), and the binding goes.
        phones.Remove(phone);
        await phone.DisposeAsync();
        await TestTimeouts.EventuallyAsync(async () => (await bindings.GetByUserAsync(alice.UserId.ToString())).Count == 0, TestTimeouts.Default, "the binding removed");
    }

    [Fact]
    public async Task Baresip_with_a_wrong_password_fails_to_register_and_leaves_no_binding()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        var phone = await StartPhoneAsync(new BaresipOptions
        {
            Account = new BaresipAccount(alice.Sip.Username, SipServer, alice.Sip.Username, "not-the-secret", RegisterInterval: 60),
        });

        var failed = await phone.WaitForEventAsync("REGISTER_FAIL", TestTimeouts.Default);
        output.WriteLine($"failure: {failed.Param}");
        Assert.DoesNotContain(phone.Events, e => e.Type == "REGISTER_OK");
        Assert.Empty(await host.Services.GetRequiredService<ISipBindingStore>().GetByUserAsync(alice.UserId.ToString()).AsTask().WaitAsync(TestTimeouts.Short));
    }

    [Fact]
    public async Task Two_baresip_phones_in_a_call_started_through_the_API_hear_each_other_not_themselves_and_the_server_sees_their_BYE()
    {
        using var alice = await host.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await host.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        var call = await alice.Client.StartCallAsync(conversation.Id);
        var aliceJoin = await alice.Client.JoinAsync(call.Id);
        var bobJoin = await bob.Client.JoinAsync(call.Id);
        Assert.Equal(alice.Sip.Username, aliceJoin.SipUsername);
        output.WriteLine($"conference: {aliceJoin.SipUri}");

        var alicePhone = await StartPhoneAsync(new BaresipOptions
        {
            ToneHz = AliceTone,
            Account = new BaresipAccount(alice.Sip.Username, SipServer, alice.Sip.Username, alice.Sip.Secret),
        });
        var bobPhone = await StartPhoneAsync(new BaresipOptions
        {
            ToneHz = BobTone,
            Account = new BaresipAccount(bob.Sip.Username, SipServer, bob.Sip.Username, bob.Sip.Secret),
        });

        var aliceMark = await alicePhone.DialAsync(aliceJoin.SipUri);
        await alicePhone.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, aliceMark);
        var bobMark = await bobPhone.DialAsync(bobJoin.SipUri);
        await bobPhone.WaitForEventAsync("CALL_ESTABLISHED", TestTimeouts.Default, bobMark);
        var both = await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 2, TestTimeouts.Default, "two participants");
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(), both.Participants.Select(p => p.UserId).Order());

        // Both talk through the mixer until each phone's recording holds the other's tone (sndfile writes as it goes, and
        // a loaded machine may take longer than any set time), then Alice hangs up: her BYE takes her out of the call.
        await TestTimeouts.EventuallyAsync(() => CallsTestKit.PeakAmplitude(alicePhone.Heard().Samples, BobTone) > 3000, TestTimeouts.Default, "Alice's phone to hear Bob's tone");
        await TestTimeouts.EventuallyAsync(() => CallsTestKit.PeakAmplitude(bobPhone.Heard().Samples, AliceTone) > 3000, TestTimeouts.Default, "Bob's phone to hear Alice's tone");
        await alicePhone.HangupAsync();
        await alicePhone.WaitForEventAsync("CALL_CLOSED", TestTimeouts.Default, aliceMark);
        var onlyBob = await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 1, TestTimeouts.Default, "Alice's BYE seen");
        Assert.Equal(bob.UserId, Assert.Single(onlyBob.Participants).UserId);
        Assert.Equal("live", onlyBob.State);

        await bobPhone.HangupAsync();
        await bobPhone.WaitForEventAsync("CALL_CLOSED", TestTimeouts.Default, bobMark);
        await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 0, TestTimeouts.Default, "Bob's BYE seen");

        // What each phone heard (sndfile's decode-side recording, 8 kHz mono): the other's tone, not its own.
        var aliceHeard = alicePhone.Heard();
        var bobHeard = bobPhone.Heard();
        Assert.Equal(8000, aliceHeard.SampleRate);
        Assert.Equal(8000, bobHeard.SampleRate);
        output.WriteLine($"alice heard {aliceHeard.Duration.TotalSeconds:F1} s: {BobTone} Hz peak {CallsTestKit.PeakAmplitude(aliceHeard.Samples, BobTone):F0}, {AliceTone} Hz {CallsTestKit.PeakAmplitude(aliceHeard.Samples, AliceTone):F0}");
        output.WriteLine($"bob heard {bobHeard.Duration.TotalSeconds:F1} s: {AliceTone} Hz peak {CallsTestKit.PeakAmplitude(bobHeard.Samples, AliceTone):F0}, {BobTone} Hz {CallsTestKit.PeakAmplitude(bobHeard.Samples, BobTone):F0}");
        Assert.True(CallsTestKit.PeakAmplitude(aliceHeard.Samples, BobTone) > 3000, "Alice's phone did not hear Bob's tone");
        Assert.True(CallsTestKit.PeakAmplitude(bobHeard.Samples, AliceTone) > 3000, "Bob's phone did not hear Alice's tone");
        Assert.True(CallsTestKit.PeakAmplitude(aliceHeard.Samples, AliceTone) < 500, "Alice's phone heard itself");
        Assert.True(CallsTestKit.PeakAmplitude(bobHeard.Samples, BobTone) < 500, "Bob's phone heard itself");

        // The server's side: both joined and left on the timeline, and the recording holds both tones.
        using var end = await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null).WaitAsync(TestTimeouts.Default);
        Assert.True(end.IsSuccessStatusCode, $"ending the call: {(int)end.StatusCode}");
        var timeline = await TestTimeouts.EventuallyAsync(() => alice.Client.GetTimelineAsync(call.Id),
            t => t.Segments.Count > 0 && t.Segments.All(s => s.State == "Complete"), TestTimeouts.Default, "a complete recording");
        output.WriteLine(string.Join("\n", timeline.Markers.Select(m => $"{m.Kind} {m.OffsetMs}-{m.EndMs} {m.UserId}")));
        Assert.Contains(timeline.Markers, m => m.Kind == "leave" && m.UserId == alice.UserId);
        Assert.Contains(timeline.Markers, m => m.Kind == "leave" && m.UserId == bob.UserId);
        var recording = await alice.Client.GetByteArrayAsync($"/v1/calls/{call.Id}/recording?format=wav").WaitAsync(TestTimeouts.Default);
        var recordingPath = Path.Combine(shared, "call.wav");
        await File.WriteAllBytesAsync(recordingPath, recording);
        var recorded = WavAudio.Read(recordingPath);
        Assert.True(CallsTestKit.PeakAmplitude(recorded.Samples, AliceTone) > 3000, "the recording lacks Alice's tone");
        Assert.True(CallsTestKit.PeakAmplitude(recorded.Samples, BobTone) > 3000, "the recording lacks Bob's tone");
    }

    private async Task<BaresipPeer> StartPhoneAsync(BaresipOptions options)
    {
        var phone = await BaresipPeer.StartAsync(options).WaitAsync(TestTimeouts.Default);
        phones.Add(phone);
        return phone;
    }
}
