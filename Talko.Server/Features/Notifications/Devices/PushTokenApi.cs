using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Notifications.Devices;

/// <summary>
/// Updating a device's push token after sign-in (APNs and FCM rotate them). Only the device's owner may;
/// a token is held by one device at a time, so a phone signed in again as another device (or by another
/// person) stops receiving the previous device's pushes.
/// </summary>
public static class PushTokenApi
{
    public sealed record PushTokenRequest(string? PushToken);

    public static IEndpointRouteBuilder MapPushTokenApi(this IEndpointRouteBuilder routes)
    {
        var devices = routes.MapGroup("/v1/me/devices/{id:guid}/push-token").WithTags("Notifications").RequireAuthorization();
        devices.MapPut("", Set).WithSummary("Set or replace my device's push token (APNs device token or FCM registration token)");
        devices.MapDelete("", Clear).WithSummary("Remove my device's push token: it gets no more pushes");
        return routes;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Set(Guid id, PushTokenRequest request, ClaimsPrincipal user, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var token = request.PushToken?.Trim();
        if (string.IsNullOrEmpty(token) || token.Length > Device.PushTokenMaxLength || token.Any(c => c < 0x21 || c > 0x7E))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["pushToken"] = [$"The push token is 1 to {Device.PushTokenMaxLength} printable ASCII characters."],
            });
        }

        var userId = user.GetUserId();
        var device = await db.Set<Device>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id && d.UserId == userId, cancellationToken);
        if (device is null)
        {
            return TypedResults.NotFound();
        }

        if (device.Platform is not (DevicePlatform.Ios or DevicePlatform.Android))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["pushToken"] = [$"A {device.Platform} device receives no pushes; its realtime connection carries its notifications."],
            });
        }

        // The retrying execution strategy (PostgreSQL) runs a user transaction only as one retriable unit.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Set<Device>().Where(d => d.PushToken == token && d.Id != id).ExecuteUpdateAsync(s => s.SetProperty(d => d.PushToken, (string?)null), cancellationToken);
            await db.Set<Device>().Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.PushToken, token), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> Clear(Guid id, ClaimsPrincipal user, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = user.GetUserId();
        var cleared = await db.Set<Device>().Where(d => d.Id == id && d.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.PushToken, (string?)null), cancellationToken);
        return cleared == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
