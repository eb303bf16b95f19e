using System.Text.Json;
using System.Text.Json.Serialization;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Server.Features.Accounts.Auth;

namespace Talko.Server.Features.Accounts;

/// <summary>
/// Keeps every instance's <see cref="SipCredentialCache"/> honest: a rotated SIP secret is announced on
/// <see cref="KeySpace.SipCredentialChangesChannel"/> (after the database has it), and revoked devices arrive on the
/// revocations channel; each instance forgets those devices' cached credentials, so the old secret or a revoked device
/// gets 401 on the next REGISTER anywhere, not once the entry lapses.
/// </summary>
public sealed partial class SipCredentialInvalidation(
    SipCredentialCache cache, IEventBus bus, KeySpace keys, ILogger<SipCredentialInvalidation> logger) : BackgroundService
{
    /// <summary>Call after the device's new H(A1) values are saved.</summary>
    public async Task SecretRotatedAsync(Guid userId, Guid deviceId)
    {
        cache.Forget([deviceId]);
        try
        {
            await bus.PublishAsync(keys.SipCredentialChangesChannel, JsonSerializer.Serialize(new SipCredentialChange(deviceId), SipCredentialChangeJson.Default.SipCredentialChange));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The database has the new secret: other instances take it once their cached entry lapses.
            LogChangeNotPublished(logger, userId, deviceId, exception.GetType().Name, exception.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var changes = await bus.SubscribeAsync(keys.SipCredentialChangesChannel, message =>
        {
            if (Read(message, SipCredentialChangeJson.Default.SipCredentialChange) is { } change)
            {
                cache.Forget([change.DeviceId]);
            }

            return Task.CompletedTask;
        });
        await using var revocations = await bus.SubscribeAsync(keys.DeviceRevocationsChannel, message =>
        {
            if (Read(message, DeviceRevocationJson.Default.DeviceRevocation) is { } revocation)
            {
                cache.Forget(revocation.DeviceIds);
            }

            return Task.CompletedTask;
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private T? Read<T>(string message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(message, type);
        }
        catch (JsonException exception)
        {
            // Nothing to forget from a message that cannot be read: every cached credential goes instead.
            LogUnreadable(logger, exception);
            cache.Clear();
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "New SIP secret of device {DeviceId} (user {UserId}) not announced to other instances ({ExceptionType}: {Reason}); they accept the old one until their cached credential lapses")]
    private static partial void LogChangeNotPublished(ILogger logger, Guid userId, Guid deviceId, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unreadable SIP credential invalidation; every cached SIP credential is dropped")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}

/// <summary>The message on <see cref="KeySpace.SipCredentialChangesChannel"/>: this device has a new SIP secret.</summary>
public sealed record SipCredentialChange(Guid DeviceId);

[JsonSerializable(typeof(SipCredentialChange))]
internal sealed partial class SipCredentialChangeJson : JsonSerializerContext;
