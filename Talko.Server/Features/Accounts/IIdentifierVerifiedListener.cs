namespace Talko.Server.Features.Accounts;

/// <summary>
/// Told when a user proves an identifier: on registration and when adding a second one. Other features
/// act on what was waiting for that identifier (a pending group invite becomes membership) without
/// accounts knowing about them. Listeners are scoped and run after the identifier is committed.
/// </summary>
public interface IIdentifierVerifiedListener
{
    Task OnIdentifierVerifiedAsync(Guid userId, CancellationToken cancellationToken);
}

internal static partial class IdentifierVerifiedListeners
{
    /// <summary>
    /// Runs every listener; a failing one is logged and does not undo the sign-in, because each
    /// listener's work is also retried lazily by its own feature.
    /// </summary>
    public static async Task NotifyAsync(IEnumerable<IIdentifierVerifiedListener> listeners, Guid userId, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            try
            {
                await listener.OnIdentifierVerifiedAsync(userId, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogListenerFailed(logger, exception, listener.GetType().Name, userId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identifier-verified listener {Listener} failed for user {UserId}")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string listener, Guid userId);
}
