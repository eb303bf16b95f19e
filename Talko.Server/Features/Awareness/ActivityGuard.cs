using Microsoft.Extensions.Options;
using Talko.Core.Awareness;

namespace Talko.Server.Features.Awareness;

/// <summary>
/// What a client may say about itself in awareness: a conversation it belongs to, a call of that conversation to listen
/// to, and "in a call" only while it has a leg in that live call, so nobody can show others a call that is not there.
/// </summary>
public sealed class ActivityGuard(AwarenessSnapshots snapshots, ICallAttendance calls, IOptions<AwarenessOptions> options)
{
    public async Task RequireAllowedAsync(Activity activity, Guid userId, CancellationToken cancellationToken)
    {
        // The shape first, so a malformed activity gets the error that names its field.
        AwarenessValidation.Activity(activity, options.Value);
        if (activity.Kind == ActivityKind.None)
        {
            return;
        }

        await snapshots.RequireMemberAsync(activity.ConversationId!, userId.ToString(), cancellationToken);
        if (activity.Kind is not (ActivityKind.InCall or ActivityKind.Listening))
        {
            return;
        }

        var attendance = Guid.TryParse(activity.ConversationId, out var conversation) && Guid.TryParse(activity.CallId, out var call)
            ? await calls.CheckAsync(conversation, call, userId, cancellationToken)
            : CallAttendance.NoSuchCall;
        if (attendance == CallAttendance.NoSuchCall)
        {
            throw new ArgumentException("No such call in that conversation.", "callId");
        }

        if (activity.Kind == ActivityKind.InCall && attendance != CallAttendance.InCall)
        {
            throw new ArgumentException("You are not in that call: join it first.", "callId");
        }
    }
}
