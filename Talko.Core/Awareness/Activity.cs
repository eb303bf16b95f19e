namespace Talko.Core.Awareness;

/// <summary>
/// One device's specific activity. A value: two activities are the same when every field is, which is
/// how the stores decide that a user's aggregate did not change.
/// </summary>
public sealed record Activity
{
    public static Activity None { get; } = new();

    public ActivityKind Kind { get; init; }

    public string? ConversationId { get; init; }

    /// <summary>The live call (in a call) or the recorded call (listening).</summary>
    public string? CallId { get; init; }

    public bool Muted { get; init; }

    public bool Talking { get; init; }

    /// <summary>Where in the recording a listener is, in milliseconds from its start.</summary>
    public long? PositionMs { get; init; }

    public static Activity Viewing(string conversationId) => new() { Kind = ActivityKind.Viewing, ConversationId = conversationId };

    public static Activity Typing(string conversationId) => new() { Kind = ActivityKind.Typing, ConversationId = conversationId };

    public static Activity InCall(string conversationId, string callId, bool muted = false, bool talking = false) =>
        new() { Kind = ActivityKind.InCall, ConversationId = conversationId, CallId = callId, Muted = muted, Talking = talking };

    public static Activity Listening(string conversationId, string callId, long positionMs) =>
        new() { Kind = ActivityKind.Listening, ConversationId = conversationId, CallId = callId, PositionMs = positionMs };
}
