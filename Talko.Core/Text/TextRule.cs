namespace Talko.Core.Text;

/// <summary>What shape a piece of human-entered text may take.</summary>
public enum TextShape
{
    /// <summary>One line: a display name, group name, title, label, status or search query. No controls, no bidirectional overrides; trimmed.</summary>
    Name,

    /// <summary>A message: newlines (CR LF becomes LF) and tabs allowed, other controls not; kept as written otherwise.</summary>
    Text,
}

/// <summary>
/// The rule for one field: its shape, its length in user-perceived characters (grapheme clusters), and the
/// UTF-16 code units its storage holds (so one "character" built of hundreds of combining marks cannot
/// overflow a column). Optional fields accept null and, for names, blank (which means none).
/// </summary>
public sealed record TextRule(TextShape Shape, int MaxLength, int MaxCodeUnits, bool Required = true)
{
    public static TextRule Name(int maxLength, int maxCodeUnits, bool required = true) => new(TextShape.Name, maxLength, maxCodeUnits, required);

    public static TextRule Text(int maxLength, int maxCodeUnits, bool required = true) => new(TextShape.Text, maxLength, maxCodeUnits, required);
}

/// <summary>The text to store (normalised), or why it was refused. Value is null for an absent optional field.</summary>
public readonly record struct TextCheck(string? Value, string? Error)
{
    public bool IsValid => Error is null;
}
