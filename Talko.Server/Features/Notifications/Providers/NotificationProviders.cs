using Talko.Core.Notifications;

namespace Talko.Server.Features.Notifications.Providers;

/// <summary>
/// The provider for each channel. A channel with no configured provider (APNs without a key, say, in the
/// embedded mode) goes to the log provider, so development needs no Apple or Google account.
/// </summary>
public sealed class NotificationProviders(IEnumerable<INotificationProvider> configured, LogNotificationProvider log)
{
    private readonly Dictionary<PushChannel, INotificationProvider> byChannel = configured.ToDictionary(p => p.Channel);

    public INotificationProvider For(PushChannel channel) => byChannel.GetValueOrDefault(channel, log);

    public bool IsConfigured(PushChannel channel) => byChannel.ContainsKey(channel);
}
