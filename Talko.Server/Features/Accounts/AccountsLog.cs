namespace Talko.Server.Features.Accounts;

internal static partial class AccountsLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "One-time code for {IdentifierHint}: {Code} (written to the log because no email/SMS delivery is configured)")]
    public static partial void CodeWrittenToLog(ILogger logger, string identifierHint, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not deliver a one-time code to {IdentifierHint}")]
    public static partial void CodeDeliveryFailed(ILogger logger, string identifierHint, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId} created with device {DeviceId}")]
    public static partial void AccountCreated(ILogger logger, Guid userId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} signed in on device {DeviceId}")]
    public static partial void SignedIn(ILogger logger, Guid userId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token reuse for device {DeviceId} of user {UserId}: the device's token family is revoked")]
    public static partial void RefreshTokenReused(ILogger logger, Guid userId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} of user {UserId} revoked ({Reason}): its tokens and realtime connections end")]
    public static partial void DeviceRevoked(ILogger logger, Guid userId, Guid deviceId, Auth.DeviceRevocationReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId} deleted")]
    public static partial void AccountDeleted(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Code requests limited for requester {Requester} (identifier {IdentifierHint}): too many in the window")]
    public static partial void CodeRequestsLimited(ILogger logger, string requester, string identifierHint);

    [LoggerMessage(Level = LogLevel.Information, Message = "No new code for {IdentifierHint}: one was sent moments ago and still works")]
    public static partial void CodeCoolingDown(ILogger logger, string identifierHint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth requests from {Address} rate limited ({Path})")]
    public static partial void AuthRequestsLimited(ILogger logger, string address, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ephemeral store did not answer the revocation check ({ExceptionType}: {Reason}); devices are checked in the database until it does ({HeldBack} more since the last line)")]
    public static partial void DeviceCheckDegraded(ILogger logger, string exceptionType, string reason, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation of devices of user {UserId} not shared through the ephemeral store ({ExceptionType}: {Reason}); other instances refuse them once their device cache lapses")]
    public static partial void RevocationNotPublished(ILogger logger, Guid userId, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} tried to sign out device {DeviceId} of user {OwnerId}; refused (404), the device stays signed in")]
    public static partial void ForeignDeviceRemovalRefused(ILogger logger, Guid userId, Guid deviceId, Guid ownerId);
}
