using System.Text.Json;
using System.Text.Json.Serialization;

namespace Talko.Core.Calls;

/// <summary>
/// A command every instance hears on <see cref="Ephemeral.KeySpace.CallCommandsChannel"/>; the instance that holds the
/// call's legs, or its claim, acts on it. Closed: these five kinds are all there is, and the JSON names them in
/// <c>kind</c> ("end", "leave", "ring", "ring-back", "segment-stored"). The first four are what instances of the
/// previous version read, so a blue/green switch between the two versions keeps working; they log "segment-stored" as
/// unreadable and ignore it, and an adopter of theirs waits out <c>HandoverWait</c> once (ADR 0623).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(EndCall), "end")]
[JsonDerivedType(typeof(LeaveCall), "leave")]
[JsonDerivedType(typeof(RingMembers), "ring")]
[JsonDerivedType(typeof(RingBack), "ring-back")]
[JsonDerivedType(typeof(SegmentStored), "segment-stored")]
public abstract record CallCommand
{
    /// <summary>Only the records below derive from it: a closed hierarchy.</summary>
    private protected CallCommand(CallId callId) => CallId = callId;

    public CallId CallId { get; }
}

/// <summary>The call ended (its row is committed): hang up its legs and give up its claim.</summary>
public sealed record EndCall(CallId CallId) : CallCommand(CallId);

/// <summary>A user left through the API: hang up their legs (of <see cref="DeviceId"/> only, when given).</summary>
public sealed record LeaveCall(CallId CallId, Guid UserId, Guid? DeviceId) : CallCommand(CallId);

/// <summary>
/// Sent when a call starts: its owner (only) adopts the call and rings the registered devices of <see cref="UserIds"/>
/// (ADR 0611), wherever they registered.
/// </summary>
public sealed record RingMembers(CallId CallId, IReadOnlyList<Guid> UserIds) : CallCommand(CallId);

/// <summary>
/// A moved call's fallback for a device that refused the transfer: the new owner rings that device (all of the user's
/// devices without one) back into the call (ADR 0710).
/// </summary>
public sealed record RingBack(CallId CallId, Guid UserId, Guid? DeviceId) : CallCommand(CallId);

/// <summary>
/// Not an order but news: an instance stored its recording segment of the call (committed first). A new owner adopting
/// the call waits for this from a live previous owner, then looks in the database for what is still open, instead of
/// looking there over and over; so the news needs to say no more than which call.
/// </summary>
public sealed record SegmentStored(CallId CallId) : CallCommand(CallId);

/// <summary>Call commands to and from their wire form.</summary>
public static class CallCommands
{
    public static string Write(CallCommand command) => JsonSerializer.Serialize(command, CallCommandJson.Default.CallCommand);

    /// <summary>The command in <paramref name="message"/>, or null when it is not one (another version, or garbage).</summary>
    public static CallCommand? TryRead(string message)
    {
        try
        {
            return JsonSerializer.Deserialize(message, CallCommandJson.Default.CallCommand);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            // An unknown kind, or none: not a command this version knows.
            return null;
        }
    }
}

[JsonSerializable(typeof(CallCommand))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
internal sealed partial class CallCommandJson : JsonSerializerContext;
