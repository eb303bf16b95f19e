using System.Globalization;
using System.Text;

namespace Talko.Core.Text;

/// <summary>
/// The one rule for text people type and other people see (names, titles, labels, messages). It refuses
/// C0 and C1 control characters (a message may hold newlines and tabs), unpaired surrogates, and in names
/// the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the line and
/// paragraph separators; it normalises to NFC and counts length in grapheme clusters, as people count.
/// Messages keep bidirectional controls: right-to-left writers use them, and clients show every text
/// isolated from its surroundings.
/// </summary>
public static class HumanText
{
    public static TextCheck Check(string? raw, TextRule rule)
    {
        var text = rule.Shape == TextShape.Name ? raw?.Trim() : raw?.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(text) || (rule.Shape == TextShape.Text && string.IsNullOrWhiteSpace(text)))
        {
            return rule.Required ? new(null, "is required.") : new(null, null);
        }

        if (Forbidden(text, rule.Shape) is { } refused)
        {
            return new(null, refused);
        }

        text = text.Normalize(NormalizationForm.FormC);
        if (!text.Any(Visible))
        {
            return new(null, "has no visible character.");
        }

        var length = new StringInfo(text).LengthInTextElements;
        if (length > rule.MaxLength)
        {
            return new(null, $"is at most {rule.MaxLength} characters; this has {length}.");
        }

        return text.Length > rule.MaxCodeUnits
            ? new(null, $"is too long to store: at most {rule.MaxCodeUnits} UTF-16 code units, this has {text.Length}.")
            : new(text, null);
    }

    /// <summary>The first character the shape does not allow, described; null when there is none.</summary>
    private static string? Forbidden(string text, TextShape shape)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return "contains an unpaired surrogate (not valid Unicode).";
            }

            var allowed = shape == TextShape.Text
                ? c is '\n' or '\t' || !char.IsControl(c)
                : !char.IsControl(c) && !IsBidiControl(c) && c is not ('\u2028' or '\u2029');
            if (!allowed)
            {
                return $"contains U+{(int)c:X4}, {Describe(c)}, which is not allowed{(shape == TextShape.Name ? " in a name" : "")}.";
            }
        }

        return null;
    }

    /// <summary>The explicit directional formatting characters of UAX #9 (embeddings, overrides, isolates and their terminators).</summary>
    private static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string Describe(char c) =>
        char.IsControl(c) ? "a control character"
        : IsBidiControl(c) ? "a bidirectional override"
        : "a line or paragraph separator";

    private static bool Visible(char c) =>
        !char.IsWhiteSpace(c) && !char.IsControl(c) && CharUnicodeInfo.GetUnicodeCategory(c) is not UnicodeCategory.Format;
}
