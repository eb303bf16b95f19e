using Talko.Tests.Server.Features.Notifications.Fakes;

namespace Talko.Tests.Server.Features.Notifications;

internal static class NotificationTestSettings
{
    /// <summary>Configuration that points the APNs provider at <paramref name="apns"/>.</summary>
    public static Dictionary<string, string?> For(FakeApns apns, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Talko:Notifications:Apns:BaseUrl"] = apns.BaseUrl.ToString(),
            ["Talko:Notifications:Apns:TeamId"] = apns.TeamId,
            ["Talko:Notifications:Apns:KeyId"] = apns.KeyId,
            ["Talko:Notifications:Apns:Topic"] = apns.Topic,
            ["Talko:Notifications:Apns:PrivateKey"] = apns.PrivateKeyPem,
            ["Talko:Notifications:RetryJitter"] = "0",
        };
        foreach (var (key, value) in extra)
        {
            settings[$"Talko:Notifications:{key}"] = value;
        }

        return settings;
    }

    public static string DeviceToken(int n) => n.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
}
