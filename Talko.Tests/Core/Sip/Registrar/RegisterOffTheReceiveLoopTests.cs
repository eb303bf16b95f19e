using System.Net;
using Talko.Core.Sip.Registrar;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Sip.Registrar;

/// <summary>
/// ADR 0112 over a real UDP socket: a REGISTER waiting on the binding store (Redis round trips when scaled out) does not
/// hold other devices' REGISTERs behind it, and two REGISTERs for one address-of-record still apply one after the
/// other, so the second one's 200 lists the first one's contact.
/// </summary>
public sealed class RegisterOffTheReceiveLoopTests : IAsyncLifetime
{
    private const string BobPassword = "bobs-pw";
    private readonly HeldBindingStore bindings = new(new InMemorySipBindingStore(TimeProvider.System));
    private RealSipEngineHost host = null!;
    private IPEndPoint registrar = null!;

    public async Task InitializeAsync()
    {
        host = await RealSipEngineHost.StartAsync(
            configure: options => options.EnableTcp = false,
            bindings: bindings,
            addCredentials: (credentials, realm) => credentials.Add(SipCredential.FromSecret("bob", "user-2", "device-2", realm, BobPassword)));
        registrar = new IPEndPoint(host.Address, host.Port);
    }

    public async Task DisposeAsync()
    {
        bindings.Release();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_register_waiting_on_the_binding_store_does_not_hold_another_devices_register()
    {
        using var alice = new UdpRegisteringPhone(registrar, SipTestHost.Username);
        using var bob = new UdpRegisteringPhone(registrar, "bob");
        // Addresses share turns by hash; these two must not, or bob would rightly wait for alice's turn.
        Assert.NotEqual(AddressOfRecordTurns.IndexOf("sip:alice@127.0.0.1"), AddressOfRecordTurns.IndexOf("sip:bob@127.0.0.1"));
        bindings.HoldFirstReadOf("alice@");

        var aliceRegisters = alice.RegisterAsync(SipTestHost.Password);
        await bindings.Held.WaitAsync(TestTimeouts.Default);
        var bobs = await bob.RegisterAsync(BobPassword);

        Assert.Equal(200, bobs.StatusCode);
        Assert.False(aliceRegisters.IsCompleted, "alice's REGISTER was still waiting on the store while bob's was answered");
        bindings.Release();
        Assert.Equal(200, (await aliceRegisters).StatusCode);
    }

    [Fact]
    public async Task Two_registers_for_one_address_of_record_apply_one_after_the_other()
    {
        using var desk = new UdpRegisteringPhone(registrar, SipTestHost.Username);
        using var mobile = new UdpRegisteringPhone(registrar, SipTestHost.Username);
        bindings.HoldFirstReadOf("alice@");

        var deskRegisters = desk.RegisterAsync(SipTestHost.Password);
        await bindings.Held.WaitAsync(TestTimeouts.Default);
        var mobileRegisters = mobile.RegisterAsync(SipTestHost.Password);
        // Both authenticated REGISTERs are in: the mobile's waits for the desk's turn. Had it not, it would be reading
        // the bindings now, before the desk's write.
        await TestTimeouts.EventuallyAsync(() => host.Engine.UserAgent.Transactions.ServerCount >= 2 || bindings.SecondRead.IsCompleted, TestTimeouts.Default);
        bindings.Release();

        Assert.Equal(200, (await deskRegisters).StatusCode);
        var mobiles = await mobileRegisters;
        Assert.Equal(200, mobiles.StatusCode);
        var listed = mobiles.Contacts.Select(c => c.Uri.ToString()).ToList();
        Assert.Contains(desk.Contact, listed);
        Assert.Contains(mobile.Contact, listed);
    }

    [Fact]
    public async Task Registers_queued_for_one_address_past_the_limit_are_refused_with_503_and_retry_after()
    {
        var phones = Enumerable.Range(0, AddressOfRecordTurns.MaxQueuedPerTurn + 1)
            .Select(_ => new UdpRegisteringPhone(registrar, SipTestHost.Username)).ToList();
        try
        {
            bindings.HoldFirstReadOf("alice@");
            var first = phones[0].RegisterAsync(SipTestHost.Password);
            await bindings.Held.WaitAsync(TestTimeouts.Default);
            var queued = phones.Skip(1).Take(AddressOfRecordTurns.MaxQueuedPerTurn - 1).Select(p => p.RegisterAsync(SipTestHost.Password)).ToList();
            await TestTimeouts.EventuallyAsync(() => host.Engine.UserAgent.Transactions.ServerCount >= AddressOfRecordTurns.MaxQueuedPerTurn, TestTimeouts.Default);

            // Refused before anything else: a full queue answers at once, without a challenge.
            var refused = await phones[^1].RegisterWithoutCredentialsAsync();

            Assert.Equal(503, refused.StatusCode);
            Assert.Equal("5", refused.Headers.Get(Talko.Core.Sip.Messages.SipHeaderNames.RetryAfter));
            bindings.Release();
            Assert.Equal(200, (await first).StatusCode);
            await Task.WhenAll(queued);
        }
        finally
        {
            phones.ForEach(p => p.Dispose());
        }
    }
}
