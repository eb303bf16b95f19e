using Microsoft.AspNetCore.Http.HttpResults;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Conversations;

/// <summary>
/// Checks the call an item, tag, flag or bookmark points into: it must be a call of the same conversation (anything else
/// answers 404, as for any id the caller may not see), and the offset must fall inside the call. A live call's length
/// is its age; <see cref="OffsetSlack"/> allows for a recording clock running slightly ahead of the wall clock.
/// </summary>
public sealed class CallReferences(ICallRecords calls, TimeProvider time)
{
    public static readonly TimeSpan OffsetSlack = TimeSpan.FromMinutes(1);

    public async Task<ProblemHttpResult?> CheckAsync(Guid conversationId, Guid? callId, long? callOffsetMs, CancellationToken cancellationToken)
    {
        if (callOffsetMs is not null && callId is null)
        {
            return Problems.Invalid("callOffsetMs needs a callId.");
        }

        if (callOffsetMs < 0)
        {
            return Problems.Invalid("callOffsetMs must not be negative.");
        }

        if (callId is not { } id)
        {
            return null;
        }

        if (await calls.FindAsync(conversationId, id, cancellationToken) is not { } span)
        {
            return Problems.NotFound("call");
        }

        var length = (span.EndedAt ?? time.GetUtcNow().UtcDateTime) - span.StartedAt + OffsetSlack;
        return callOffsetMs > (long)length.TotalMilliseconds
            ? Problems.Invalid($"callOffsetMs is past the end of the call ({(long)(length - OffsetSlack).TotalMilliseconds} ms long).")
            : null;
    }
}
