using System.Net;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Ephemeral;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Sip.Registrar;

/// <summary>What every SIP binding store must do: in memory, and on the ephemeral store (in-process and Redis).</summary>
public abstract class SipBindingStoreSpecification
{
    protected abstract ISipBindingStore Store { get; }

    protected abstract DateTimeOffset Now { get; }

    protected abstract Task ElapseAsync(TimeSpan duration);

    private readonly string aor = $"sip:{Guid.NewGuid():N}@talko.test";
    private readonly string user = Guid.NewGuid().ToString("N");

    private SipBinding Binding(string contact, TimeSpan lifetime, string? userId = null, string? aorOverride = null) =>
        new(aorOverride ?? aor, contact, userId ?? user, "device-" + contact.GetHashCode(StringComparison.Ordinal), "call-1", 1, Now + lifetime,
            SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 5062));

    [Fact]
    public async Task A_binding_is_found_by_address_and_by_user_with_its_source()
    {
        await Store.SetAsync(Binding("sip:phone@192.0.2.10:5062", TimeSpan.FromMinutes(5)));

        var byAddress = Assert.Single(await Store.GetAsync(aor));
        var byUser = Assert.Single(await Store.GetByUserAsync(user));
        Assert.Equal("sip:phone@192.0.2.10:5062", byAddress.ContactUri);
        Assert.Equal(byAddress, byUser);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 5062), byAddress.Source);
    }

    [Fact]
    public async Task Setting_the_same_contact_again_replaces_it_and_other_contacts_stay()
    {
        await Store.SetAsync(Binding("sip:desk@192.0.2.10", TimeSpan.FromMinutes(5)));
        await Store.SetAsync(Binding("sip:soft@192.0.2.11", TimeSpan.FromMinutes(5)));
        await Store.SetAsync(Binding("sip:desk@192.0.2.10", TimeSpan.FromMinutes(10)) with { CSeq = 2 });

        var all = await Store.GetAsync(aor);
        Assert.Equal(2, all.Count);
        Assert.Equal(2, all.Single(b => b.ContactUri == "sip:desk@192.0.2.10").CSeq);
    }

    [Fact]
    public async Task Expired_bindings_are_never_returned()
    {
        await Store.SetAsync(Binding("sip:short@192.0.2.10", TimeSpan.FromSeconds(1)));
        await Store.SetAsync(Binding("sip:long@192.0.2.10", TimeSpan.FromMinutes(5)));

        await ElapseAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(["sip:long@192.0.2.10"], (await Store.GetAsync(aor)).Select(b => b.ContactUri));
        Assert.Equal(["sip:long@192.0.2.10"], (await Store.GetByUserAsync(user)).Select(b => b.ContactUri));
    }

    [Fact]
    public async Task Removed_bindings_disappear_from_both_views()
    {
        await Store.SetAsync(Binding("sip:gone@192.0.2.10", TimeSpan.FromMinutes(5)));
        await Store.RemoveAsync(aor, "sip:gone@192.0.2.10");

        Assert.Empty(await Store.GetAsync(aor));
        Assert.Empty(await Store.GetByUserAsync(user));
    }

    [Fact]
    public async Task Other_users_and_addresses_are_kept_apart()
    {
        var otherAor = $"sip:{Guid.NewGuid():N}@talko.test";
        var otherUser = Guid.NewGuid().ToString("N");
        await Store.SetAsync(Binding("sip:mine@192.0.2.10", TimeSpan.FromMinutes(5)));
        await Store.SetAsync(Binding("sip:theirs@192.0.2.12", TimeSpan.FromMinutes(5), otherUser, otherAor));

        Assert.Equal(["sip:mine@192.0.2.10"], (await Store.GetAsync(aor)).Select(b => b.ContactUri));
        Assert.Equal(["sip:theirs@192.0.2.12"], (await Store.GetByUserAsync(otherUser)).Select(b => b.ContactUri));
    }
}

public sealed class InMemorySipBindingStoreTests : SipBindingStoreSpecification
{
    private readonly FakeTimeProvider time = new();

    public InMemorySipBindingStoreTests() => Store = new InMemorySipBindingStore(time);

    protected override ISipBindingStore Store { get; }

    protected override DateTimeOffset Now => time.GetUtcNow();

    protected override Task ElapseAsync(TimeSpan duration)
    {
        time.Advance(duration);
        return Task.CompletedTask;
    }
}

public sealed class InProcessEphemeralSipBindingStoreTests : SipBindingStoreSpecification
{
    private readonly FakeTimeProvider time = new();

    public InProcessEphemeralSipBindingStoreTests() =>
        Store = new EphemeralSipBindingStore(new InMemoryEphemeralStore(time), new KeySpace("spec"), time);

    protected override ISipBindingStore Store { get; }

    protected override DateTimeOffset Now => time.GetUtcNow();

    protected override Task ElapseAsync(TimeSpan duration)
    {
        time.Advance(duration);
        return Task.CompletedTask;
    }
}

public sealed class RedisSipBindingStoreTests(RedisFixture redis) : SipBindingStoreSpecification, IClassFixture<RedisFixture>
{
    protected override ISipBindingStore Store { get; } =
        new EphemeralSipBindingStore(new RedisEphemeralStore(redis.Connection), new KeySpace(redis.Prefix), TimeProvider.System);

    protected override DateTimeOffset Now => DateTimeOffset.UtcNow;

    protected override Task ElapseAsync(TimeSpan duration) => Task.Delay(duration);
}
