namespace Talko.Core.Awareness;

/// <summary>
/// One device connection's whole awareness state, as the instance holding the connection writes it.
/// Only that instance writes it, so it always sends the whole state and the stores never merge fields.
/// </summary>
/// <param name="UserId">The user signed in on the device.</param>
/// <param name="ConnectionId">The realtime connection, unique across instances.</param>
/// <param name="DeviceId">The device, when its token names one.</param>
/// <param name="InstanceId">The instance holding the connection; its death removes the connection.</param>
/// <param name="Presence">Online or away (a live connection is never offline).</param>
/// <param name="Activity">What the device is doing.</param>
/// <param name="StatusText">An optional status ("driving").</param>
/// <param name="ActivityAt">When the activity was set: across devices the most recent specific activity wins.</param>
/// <param name="TypingUntil">When a <see cref="ActivityKind.Typing"/> activity reverts to viewing.</param>
/// <param name="StatusAt">When the status text was set or cleared: across devices the most recent wins.</param>
/// <param name="LeaseUntil">The connection counts until then unless renewed; an instance renews its live connections.</param>
public sealed record ConnectionAwareness(
    string UserId,
    string ConnectionId,
    string? DeviceId,
    string InstanceId,
    Presence Presence,
    Activity Activity,
    DateTimeOffset ActivityAt,
    DateTimeOffset? TypingUntil,
    string? StatusText,
    DateTimeOffset StatusAt,
    DateTimeOffset LeaseUntil);

/// <summary>Names one connection of one user.</summary>
public readonly record struct ConnectionKey(string UserId, string ConnectionId);
