using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts;

/// <summary>
/// What the SIP registrar needs to check a device's digest response: the H(A1) values for the realm
/// they were issued for (docs/decisions/0201-sip-credentials-as-ha1.md).
/// </summary>
/// <param name="UserId">The device's owner.</param>
/// <param name="DeviceId">The device.</param>
/// <param name="Username">The SIP digest username.</param>
/// <param name="Realm">The realm both H(A1) values were computed for.</param>
/// <param name="Ha1Md5">Lower-case hex MD5(username:realm:secret), RFC 2617 section 3.2.2.2.</param>
/// <param name="Ha1Sha256">Lower-case hex SHA-256(username:realm:secret), RFC 7616 section 3.4.2.</param>
public sealed record SipDeviceCredential(Guid UserId, Guid DeviceId, string Username, string Realm, string Ha1Md5, string Ha1Sha256);

/// <summary>Finds a device's SIP digest credentials by SIP username. Scoped (uses the DbContext).</summary>
public sealed class SipCredentialLookup(TalkoDbContext db)
{
    /// <summary>The credentials for <paramref name="username"/>, or null if no device has it (deleted devices have none).</summary>
    public async Task<SipDeviceCredential?> FindAsync(string username, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(username) || username.Length > 64)
        {
            return null;
        }

        return await db.Set<Device>().AsNoTracking()
            .Where(d => d.SipUsername == username)
            .Select(d => new SipDeviceCredential(d.UserId, d.Id, d.SipUsername, d.SipRealm, d.SipHa1Md5, d.SipHa1Sha256))
            .FirstOrDefaultAsync(cancellationToken);
    }
}
