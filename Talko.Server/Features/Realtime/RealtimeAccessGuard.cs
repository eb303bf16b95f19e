using System.Text.Json;
using Microsoft.Extensions.Options;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Auth;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// Ends the realtime connections of devices that lost access. A revocation published on the event bus (by any
/// instance) closes this instance's connections of those devices at once; every
/// <see cref="RealtimeOptions.AccessCheckInterval"/> each open connection is checked again, which closes
/// connections whose access token expired and covers a revocation message the bus lost.
/// </summary>
public sealed partial class RealtimeAccessGuard(
    RealtimeConnections connections,
    IEventBus bus,
    KeySpace keys,
    IServiceScopeFactory scopes,
    IOptions<RealtimeOptions> options,
    TimeProvider time,
    ILogger<RealtimeAccessGuard> logger) : BackgroundService
{
    public const string RevokedReason = "revoked";
    public const string ExpiredReason = "expired";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await bus.SubscribeAsync(keys.DeviceRevocationsChannel, message => OnRevokedAsync(message, stoppingToken));
        using var timer = new PeriodicTimer(options.Value.AccessCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckAllAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task OnRevokedAsync(string message, CancellationToken cancellationToken)
    {
        DeviceRevocation? revocation;
        try
        {
            revocation = JsonSerializer.Deserialize(message, DeviceRevocationJson.Default.DeviceRevocation);
        }
        catch (JsonException exception)
        {
            LogUnreadableRevocation(logger, exception);
            return;
        }

        if (revocation is null)
        {
            return;
        }

        foreach (var connection in connections.OfDevices(revocation.UserId, [.. revocation.DeviceIds]))
        {
            await EndAsync(connection, RevokedReason, cancellationToken);
        }
    }

    /// <summary>One pass over every open connection: expired tokens and devices that are no longer signed in.</summary>
    internal async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        var open = connections.All;
        if (open.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var sessions = scope.ServiceProvider.GetRequiredService<DeviceSessions>();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        foreach (var connection in open)
        {
            try
            {
                if (connection.AccessExpiresAt is { } expires && expires <= now)
                {
                    await EndAsync(connection, ExpiredReason, cancellationToken);
                }
                else if (connection.DeviceId is not { } deviceId || !await sessions.IsActiveAsync(connection.UserId, deviceId, db, cancellationToken))
                {
                    await EndAsync(connection, RevokedReason, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A store that cannot answer now is asked again next pass; the connection stays meanwhile.
                LogCheckFailed(logger, connection.Context.ConnectionId, exception);
            }
        }
    }

    private async Task EndAsync(OpenConnection connection, string reason, CancellationToken cancellationToken)
    {
        LogEnded(logger, connection.Context.ConnectionId, connection.UserId, connection.DeviceId, reason);
        await connections.EndAccessAsync(connection, reason, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Realtime connection {ConnectionId} of user {UserId} device {DeviceId} closed: access {Reason}")]
    private static partial void LogEnded(ILogger logger, string connectionId, Guid userId, Guid? deviceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A device revocation message could not be read; the periodic access check covers it")]
    private static partial void LogUnreadableRevocation(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the access of realtime connection {ConnectionId}; it is checked again next pass")]
    private static partial void LogCheckFailed(ILogger logger, string connectionId, Exception exception);
}
