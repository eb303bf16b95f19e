using System.Text.Json;
using System.Text.Json.Serialization;

namespace Talko.Server.WebRtc;

/// <summary>
/// What an instance whose hub took a WebRTC call request sends to the call's owner, and what comes back (ADR 0724), on
/// the instance-addressed channels (<see cref="Core.Ephemeral.KeySpace.InstanceChannel"/>). Requests carry a
/// correlation id and the instance to reply to; <see cref="RemoteConnectionClosed"/> wants no reply. Closed: the JSON
/// names each kind in <c>kind</c>, and a version that does not know a kind drops the message (the sender times out).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(JoinRemoteLeg), "webrtc-join")]
[JsonDerivedType(typeof(LeaveRemoteLeg), "webrtc-leave")]
[JsonDerivedType(typeof(MuteRemoteLeg), "webrtc-mute")]
[JsonDerivedType(typeof(RemoteConnectionClosed), "webrtc-connection-closed")]
[JsonDerivedType(typeof(RemoteLegReply), "webrtc-reply")]
public abstract record RemoteLegMessage
{
    /// <summary>Only the records below derive from it: a closed hierarchy.</summary>
    private protected RemoteLegMessage()
    {
    }
}

/// <summary>A request that wants a <see cref="RemoteLegReply"/> with the same <see cref="RequestId"/> on <see cref="ReplyTo"/>'s channel.</summary>
public abstract record RemoteLegRequest(Guid RequestId, string ReplyTo, Guid CallId, string ConnectionId) : RemoteLegMessage;

/// <summary>
/// Join the call with this offer for the user and device whose hub connection (on <see cref="RemoteLegRequest.ReplyTo"/>)
/// asked; that instance already checked membership and the offer. The reply carries the owner's SDP answer.
/// </summary>
public sealed record JoinRemoteLeg(Guid RequestId, string ReplyTo, Guid CallId, string ConnectionId, Guid UserId, Guid? DeviceId, string SdpOffer)
    : RemoteLegRequest(RequestId, ReplyTo, CallId, ConnectionId);

/// <summary>End the leg this hub connection made in the call.</summary>
public sealed record LeaveRemoteLeg(Guid RequestId, string ReplyTo, Guid CallId, string ConnectionId)
    : RemoteLegRequest(RequestId, ReplyTo, CallId, ConnectionId);

/// <summary>Mute or unmute the leg this hub connection made in the call.</summary>
public sealed record MuteRemoteLeg(Guid RequestId, string ReplyTo, Guid CallId, string ConnectionId, bool Muted)
    : RemoteLegRequest(RequestId, ReplyTo, CallId, ConnectionId);

/// <summary>The hub connection on <see cref="Origin"/> closed: its legs here end (no reply).</summary>
public sealed record RemoteConnectionClosed(string Origin, string ConnectionId) : RemoteLegMessage;

/// <summary>
/// The owner's answer to a request: <see cref="SdpAnswer"/> for a join, or a refusal with the same stable code (and
/// message) a local join gives; neither for a leave or mute that succeeded.
/// </summary>
public sealed record RemoteLegReply(Guid RequestId, string? SdpAnswer, string? RefusalCode, string? RefusalMessage) : RemoteLegMessage
{
    public static RemoteLegReply Done(Guid requestId) => new(requestId, null, null, null);

    public static RemoteLegReply Refused(Guid requestId, string code, string message) => new(requestId, null, code, message);
}

/// <summary>Remote leg messages to and from their wire form.</summary>
public static class RemoteLegMessages
{
    public static string Write(RemoteLegMessage message) => JsonSerializer.Serialize(message, RemoteLegJson.Default.RemoteLegMessage);

    /// <summary>The message, or null when it is not one this version knows.</summary>
    public static RemoteLegMessage? TryRead(string message)
    {
        try
        {
            return JsonSerializer.Deserialize(message, RemoteLegJson.Default.RemoteLegMessage);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}

[JsonSerializable(typeof(RemoteLegMessage))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
internal sealed partial class RemoteLegJson : JsonSerializerContext;
