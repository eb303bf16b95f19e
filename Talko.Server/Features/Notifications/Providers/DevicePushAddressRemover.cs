using Microsoft.EntityFrameworkCore;
using Talko.Core.Notifications;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Notifications.Providers;

/// <summary>
/// Clears a device's push token when a provider declares it gone, only if the device still holds that
/// token: an app that registered a fresh token meanwhile keeps it.
/// </summary>
public sealed class DevicePushAddressRemover(IServiceScopeFactory scopes, ILogger<DevicePushAddressRemover> logger) : IPushAddressRemover
{
    public async Task RemoveAsync(PushChannel channel, string address, Guid? deviceId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var devices = db.Set<Device>().Where(d => d.PushToken == address);
        if (deviceId is { } id)
        {
            devices = devices.Where(d => d.Id == id);
        }

        await devices.ExecuteUpdateAsync(s => s.SetProperty(d => d.PushToken, (string?)null), cancellationToken);
        NotificationsLog.AddressGone(logger, channel, deviceId);
    }
}
