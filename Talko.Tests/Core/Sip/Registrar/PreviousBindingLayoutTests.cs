using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Ephemeral;
using Talko.Core.Sip.Registrar;

namespace Talko.Tests.Core.Sip.Registrar;

/// <summary>
/// A blue/green switch from the release before ADR 0932: its devices registered in the old layout (a key per binding
/// and two index sets, written here as that release wrote them, JSON included). The new store finds them by address
/// and by user, prefers its own copy once a device refreshed, and an unregister removes both.
/// </summary>
public sealed class PreviousBindingLayoutTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryEphemeralStore ephemeral;
    private readonly KeySpace keys = new("layout");
    private readonly EphemeralSipBindingStore store;

    private const string Aor = "sip:alice@talko.test";
    private const string User = "user-alice";

    public PreviousBindingLayoutTests()
    {
        ephemeral = new InMemoryEphemeralStore(time);
        store = new EphemeralSipBindingStore(ephemeral, keys, time);
    }

    [Fact]
    public async Task Bindings_in_the_previous_layout_are_found_by_address_and_by_user()
    {
        await WritePreviousLayoutAsync("sip:desk@192.0.2.10:5062", TimeSpan.FromMinutes(5));

        var byAddress = Assert.Single(await store.GetAsync(Aor));
        Assert.Equal("sip:desk@192.0.2.10:5062", byAddress.ContactUri);
        Assert.Equal("device-desk", byAddress.DeviceId);
        Assert.Equal(7, byAddress.CSeq);
        Assert.Equal("192.0.2.10:5062", byAddress.Source?.ToString());
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(5), byAddress.ExpiresAt);
        Assert.Equal(byAddress, Assert.Single(await store.GetByUserAsync(User)));
    }

    [Fact]
    public async Task A_refreshed_binding_is_read_from_the_new_layout_and_others_stay_listed()
    {
        await WritePreviousLayoutAsync("sip:desk@192.0.2.10:5062", TimeSpan.FromMinutes(5));
        await WritePreviousLayoutAsync("sip:soft@192.0.2.11:5062", TimeSpan.FromMinutes(5));
        var refreshed = (await store.GetAsync(Aor)).Single(b => b.ContactUri == "sip:desk@192.0.2.10:5062") with
        {
            CSeq = 8,
            ExpiresAt = time.GetUtcNow() + TimeSpan.FromMinutes(60),
        };
        await store.SetAsync(refreshed);

        var all = await store.GetAsync(Aor);
        Assert.Equal(2, all.Count);
        Assert.Equal(8, all.Single(b => b.ContactUri == "sip:desk@192.0.2.10:5062").CSeq);
        Assert.Equal(2, (await store.GetByUserAsync(User)).Count);

        // The old copy expires with its registration; the refreshed one outlives it.
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(["sip:desk@192.0.2.10:5062"], (await store.GetAsync(Aor)).Select(b => b.ContactUri));
    }

    [Fact]
    public async Task Unregistering_removes_a_binding_from_both_layouts()
    {
        await WritePreviousLayoutAsync("sip:desk@192.0.2.10:5062", TimeSpan.FromMinutes(5));
        var binding = Assert.Single(await store.GetAsync(Aor));
        await store.SetAsync(binding with { CSeq = 8 });

        await store.RemoveAsync(Aor, binding.ContactUri);

        Assert.Empty(await store.GetAsync(Aor));
        Assert.Empty(await store.GetByUserAsync(User));
        Assert.Null(await ephemeral.GetAsync(keys.SipBinding(Aor, binding.ContactUri)));
    }

    /// <summary>What the release before ADR 0932 stored for a REGISTER: the binding's key, then both index sets.</summary>
    private async Task WritePreviousLayoutAsync(string contact, TimeSpan lifetime)
    {
        var device = "device-" + contact[4..contact.IndexOf('@', StringComparison.Ordinal)];
        var expiresAt = (time.GetUtcNow() + lifetime).ToString("O", CultureInfo.InvariantCulture);
        var json = $$"""{"addressOfRecord":"{{Aor}}","contactUri":"{{contact}}","userId":"{{User}}","deviceId":"{{device}}","callId":"reg-1","cSeq":7,"expiresAt":"{{expiresAt}}","protocol":0,"source":"192.0.2.10:5062"}""";
        var key = keys.SipBinding(Aor, contact);
        await ephemeral.SetAsync(key, json, lifetime);
        await ephemeral.SetAddAndKeepAsync(keys.SipBindingsOfAddress(Aor), key, lifetime);
        await ephemeral.SetAddAndKeepAsync(keys.SipBindingsOfUser(User), key, lifetime);
    }
}
