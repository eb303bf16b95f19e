using System.Net;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// One registered contact of an address-of-record (RFC 3261 section 10.3), with where it registered from
/// so that requests can reach it behind NAT (RFC 3581 style: the source address and protocol).
/// </summary>
public sealed record SipBinding(
    string AddressOfRecord,
    string ContactUri,
    string UserId,
    string DeviceId,
    string CallId,
    long CSeq,
    DateTimeOffset ExpiresAt,
    SipTransportProtocol Protocol,
    IPEndPoint? Source);

/// <summary>Where bindings live: in memory for one instance, Redis when scaled out. Expired bindings are never returned.</summary>
public interface ISipBindingStore
{
    ValueTask<IReadOnlyList<SipBinding>> GetAsync(string addressOfRecord, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<SipBinding>> GetByUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces the binding with the same address-of-record and contact URI.</summary>
    ValueTask SetAsync(SipBinding binding, CancellationToken cancellationToken = default);

    ValueTask RemoveAsync(string addressOfRecord, string contactUri, CancellationToken cancellationToken = default);
}
