using System.Collections.Concurrent;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The calls this instance owns, each with its segment clock. <see cref="CallHost"/> adds and removes them; the
/// durable side reads the recording offset of an owned call from here (exact, from memory) instead of asking the host,
/// so the two do not depend on each other.
/// </summary>
public sealed class OwnedCalls(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, OwnedCall> calls = new();

    public IReadOnlyCollection<Guid> Ids => [.. calls.Keys];

    /// <summary>Offset into the whole recording now; null if this instance does not own the call.</summary>
    public long? CurrentOffsetMs(Guid callId) => calls.TryGetValue(callId, out var call) ? call.OffsetAt(time.GetUtcNow()) : null;

    internal ICollection<OwnedCall> All => calls.Values;

    internal bool Contains(Guid callId) => calls.ContainsKey(callId);

    internal bool TryGet(Guid callId, out OwnedCall call) => calls.TryGetValue(callId, out call!);

    internal void Add(OwnedCall call) => calls[call.CallId] = call;

    internal bool TryRemove(Guid callId, out OwnedCall call) => calls.TryRemove(callId, out call!);
}

/// <summary>An owned call's state on this instance: its conversation, when it was last empty, its segment clock.</summary>
public sealed class OwnedCall(Guid callId, Guid conversationId)
{
    public Guid CallId { get; } = callId;

    public Guid ConversationId { get; } = conversationId;

    public DateTimeOffset? EmptySince { get; set; }

    public DateTimeOffset? SegmentStartedAt { get; set; }

    /// <summary>Length of the closed segments: where the live one starts.</summary>
    public long ClosedMs { get; set; }

    public long OffsetAt(DateTimeOffset now) =>
        SegmentStartedAt is { } start ? ClosedMs + Math.Max(0, (long)(now - start).TotalMilliseconds) : ClosedMs;
}
