using System.Globalization;
using Talko.Core.Sip.Registrar;
using Talko.Server.Features.Accounts;

namespace Talko.Server.Sip;

/// <summary>
/// The registrar's view of device SIP credentials, read from the accounts tables through the accounts feature's
/// <see cref="SipCredentialCache"/> (ADR 0207). The SIP engine is a singleton, so a lookup that misses the cache
/// takes its own scope (and DbContext).
/// </summary>
internal sealed class DatabaseSipCredentialStore(IServiceScopeFactory scopes, SipCredentialCache cache) : ISipCredentialStore
{
    public async ValueTask<SipCredential?> FindAsync(string username, CancellationToken cancellationToken = default)
    {
        if (!cache.TryGet(username, out var found))
        {
            var generation = cache.Generation;
            await using var scope = scopes.CreateAsyncScope();
            found = await scope.ServiceProvider.GetRequiredService<SipCredentialLookup>().FindAsync(username, cancellationToken);
            if (found is not null)
            {
                cache.Remember(found, generation);
            }
        }

        return found is null
            ? null
            : new SipCredential(
                found.Username,
                found.UserId.ToString("D", CultureInfo.InvariantCulture),
                found.DeviceId.ToString("D", CultureInfo.InvariantCulture),
                found.Realm,
                found.Ha1Md5,
                found.Ha1Sha256);
    }
}
