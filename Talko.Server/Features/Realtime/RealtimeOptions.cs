namespace Talko.Server.Features.Realtime;

/// <summary>Limits of the realtime hub, bound from "Talko:Realtime".</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Talko:Realtime";

    /// <summary>
    /// How often every open connection's access is checked again (token expiry, device still signed in). Revocations
    /// close connections at once through the event bus; this check is the backstop when that message is lost, and
    /// what closes a connection whose access token expired without the client reconnecting.
    /// </summary>
    public TimeSpan AccessCheckInterval { get; set; } = TimeSpan.FromSeconds(15);
}
