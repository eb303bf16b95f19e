using System.Globalization;
using Talko.Core.Sip.Registrar;
using Talko.Server.Features.Accounts;

namespace Talko.Server.Sip;

/// <summary>
/// The registrar's view of device SIP credentials, read from the accounts tables. The SIP engine is a
/// singleton, so each lookup takes its own scope (and DbContext).
/// </summary>
internal sealed class DatabaseSipCredentialStore(IServiceScopeFactory scopes) : ISipCredentialStore
{
    public async ValueTask<SipCredential?> FindAsync(string username, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var found = await scope.ServiceProvider.GetRequiredService<SipCredentialLookup>().FindAsync(username, cancellationToken);
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
