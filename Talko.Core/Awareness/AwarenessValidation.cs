using Talko.Core.Text;

namespace Talko.Core.Awareness;

/// <summary>Checks what a client sends before anything is stored; failures name the field and the rule.</summary>
public static class AwarenessValidation
{
    public static void Id(string? value, string name, AwarenessOptions options)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} is required.", name);
        }

        if (value.Length > options.MaxIdLength || value.Any(char.IsControl))
        {
            throw new ArgumentException($"{name} must be at most {options.MaxIdLength} characters without control characters.", name);
        }
    }

    /// <summary>Returns the status text to store (a name by <see cref="HumanText"/>: one line, NFC, trimmed), null when empty.</summary>
    public static string? StatusText(string? text, AwarenessOptions options)
    {
        var check = HumanText.Check(text, TextRule.Name(options.MaxStatusTextLength, options.MaxStatusTextLength * 4, required: false));
        return check.IsValid ? check.Value : throw new ArgumentException($"statusText {check.Error}", "statusText");
    }

    /// <summary>Each kind carries exactly what it needs: a conversation, plus a call for calls and recordings, plus a position for listening.</summary>
    public static void Activity(Activity activity, AwarenessOptions options)
    {
        if (!Enum.IsDefined(activity.Kind))
        {
            throw new ArgumentException($"Unknown activity kind {(int)activity.Kind}.", "kind");
        }

        if (activity.Kind == ActivityKind.None)
        {
            return;
        }

        Id(activity.ConversationId, "conversationId", options);
        if (activity.Kind is ActivityKind.InCall or ActivityKind.Listening)
        {
            Id(activity.CallId, "callId", options);
        }

        if (activity.Kind == ActivityKind.Listening && activity.PositionMs is not >= 0)
        {
            throw new ArgumentException("positionMs is required when listening and must not be negative.", "positionMs");
        }
    }

    /// <summary>Drops the fields a kind does not use, so two equal activities always compare equal.</summary>
    public static Activity Normalize(Activity activity) => activity.Kind switch
    {
        ActivityKind.None => Awareness.Activity.None,
        ActivityKind.Viewing => Awareness.Activity.Viewing(activity.ConversationId!),
        ActivityKind.Typing => Awareness.Activity.Typing(activity.ConversationId!),
        ActivityKind.InCall => Awareness.Activity.InCall(activity.ConversationId!, activity.CallId!, activity.Muted, activity.Talking),
        _ => Awareness.Activity.Listening(activity.ConversationId!, activity.CallId!, activity.PositionMs!.Value),
    };
}
