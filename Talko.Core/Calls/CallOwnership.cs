using Microsoft.Extensions.Options;
using Talko.Core.Ephemeral;

namespace Talko.Core.Calls;

/// <summary>
/// One owner per live call: the instance that runs its mixer. Ownership is a key claimed with
/// set-if-absent and a short TTL, renewed only by its holder, so exactly one instance owns a call at a
/// time and a dead owner's claim lapses by itself.
/// </summary>
public sealed class CallOwnership(IEphemeralStore store, KeySpace keys, IOptions<CallOwnershipOptions> options)
{
    /// <summary>
    /// Claims the call for <paramref name="instanceId"/> unless someone holds it. Returns the owner
    /// afterwards: <paramref name="instanceId"/> if this call won (or already held it), the holder otherwise.
    /// </summary>
    public async Task<string> ClaimOrFindOwnerAsync(string callId, string instanceId)
    {
        var ttl = options.Value.ClaimTimeToLive;
        while (true)
        {
            if (await store.SetIfAbsentAsync(keys.CallOwner(callId), instanceId, ttl).ConfigureAwait(false))
            {
                return instanceId;
            }

            // Between a failed claim and this read the holder's claim may lapse; then try again.
            if (await store.GetAsync(keys.CallOwner(callId)).ConfigureAwait(false) is { } owner)
            {
                return owner;
            }
        }
    }

    public Task<string?> FindOwnerAsync(string callId) => store.GetAsync(keys.CallOwner(callId));

    /// <summary>Extends the claim; false means it was lost (expired and perhaps taken by another instance).</summary>
    public Task<bool> RenewAsync(string callId, string instanceId) =>
        store.CompareAndExpireAsync(keys.CallOwner(callId), instanceId, options.Value.ClaimTimeToLive);

    /// <summary>
    /// Removes the claim of <paramref name="deadInstanceId"/>, an owner known to be gone, so the call can be claimed at
    /// once instead of after the claim's TTL; a claim someone else took meanwhile is left alone.
    /// </summary>
    public Task<bool> ForgetDeadOwnerAsync(string callId, string deadInstanceId) =>
        store.CompareAndDeleteAsync(keys.CallOwner(callId), deadInstanceId);

    /// <summary>Gives the call up when it ends or moves; never removes another instance's claim.</summary>
    public Task<bool> ReleaseAsync(string callId, string instanceId) =>
        store.CompareAndDeleteAsync(keys.CallOwner(callId), instanceId);
}
