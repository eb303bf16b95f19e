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

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} of user {UserId} removed")]
    public static partial void DeviceRemoved(ILogger logger, Guid userId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId} deleted")]
    public static partial void AccountDeleted(ILogger logger, Guid userId);
}
